// SPDX-License-Identifier: GPL-2.0
/*
 * Memory that changes under a kernel call that pins it (uffd_swap.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "uffd_swap.h"

static void uffd_swap_failed(struct uffd_swap *s, int err)
{
	if (!s->error)
		s->error = err;
}

/*
 * Stop serving after an error: unregistering wakes every fault waiting on
 * the range, and the kernel fills those pages itself from then on, so the
 * call that faulted returns and the test sees s->error instead of hanging.
 */
static void uffd_swap_give_up(struct uffd_swap *s, int err)
{
	struct uffdio_range range = {
		.start = (uintptr_t)s->va,
		.len = s->size,
	};

	uffd_swap_failed(s, err);
	ioctl(s->uffd, UFFDIO_UNREGISTER, &range);
}

/*
 * One missing-page fault: drop the victim if this is the trigger, fill.
 * False when the range could not be served and has been given up.
 */
static bool uffd_swap_serve(struct uffd_swap *s, const struct uffd_msg *msg)
{
	uintptr_t at = msg->arg.pagefault.address & ~(uintptr_t)(s->page - 1);
	struct uffdio_copy copy = { 0 };
	struct uffdio_range wake;
	size_t k;

	if (at < (uintptr_t)s->va || at >= (uintptr_t)s->va + s->size) {
		uffd_swap_give_up(s, ERANGE);
		return false;
	}
	k = (at - (uintptr_t)s->va) / s->page;
	s->faults[k]++;
	if (k == s->trigger && !s->swapped) {
		if (madvise(s->va + s->victim * s->page, s->page, MADV_DONTNEED))
			uffd_swap_failed(s, errno);
		s->swapped = true;
	}
	copy.dst = at;
	copy.src = (uintptr_t)s->fill;
	copy.len = s->page;
	if (!ioctl(s->uffd, UFFDIO_COPY, &copy))
		return true;
	if (errno != EEXIST) {
		uffd_swap_give_up(s, errno);
		return false;
	}
	/* Filled already (a fault raced with another): wake this one. */
	wake.start = at;
	wake.len = s->page;
	if (ioctl(s->uffd, UFFDIO_WAKE, &wake)) {
		uffd_swap_give_up(s, errno);
		return false;
	}
	return true;
}

static void *uffd_swap_thread(void *arg)
{
	struct uffd_swap *s = arg;
	struct pollfd pfd[2] = {
		{ .fd = s->uffd, .events = POLLIN },
		{ .fd = s->stop[0], .events = POLLIN },
	};
	struct uffd_msg msg;

	for (;;) {
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			uffd_swap_give_up(s, errno);
			return NULL;
		}
		if (pfd[1].revents)
			return NULL;
		if (read(s->uffd, &msg, sizeof(msg)) != sizeof(msg)) {
			if (errno == EAGAIN)
				continue;
			uffd_swap_give_up(s, errno);
			return NULL;
		}
		if (msg.event == UFFD_EVENT_PAGEFAULT && !uffd_swap_serve(s, &msg))
			return NULL;
	}
}

int uffd_swap_start(struct uffd_swap *s, size_t pages, size_t trigger,
		    size_t victim, uint8_t pattern)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = { 0 };
	uint8_t *fill, *va;
	int ret;

	memset(s, 0, sizeof(*s));
	s->uffd = -1;
	s->page = sysconf(_SC_PAGESIZE);
	s->size = pages * s->page;
	s->trigger = trigger;
	s->victim = victim;
	if (!pages || pages > UFFD_SWAP_MAX_PAGES || trigger >= pages ||
	    victim >= pages)
		return -EINVAL;
	fill = mmap(NULL, s->page, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (fill == MAP_FAILED)
		return -errno;
	memset(fill, pattern, s->page);
	va = mmap(NULL, s->size, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (va == MAP_FAILED) {
		ret = -errno;
		goto free_fill;
	}
	s->fill = fill;
	s->va = va;
	s->uffd = syscall(__NR_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (s->uffd < 0) {
		ret = errno == ENOSYS || errno == EPERM ? -EOPNOTSUPP : -errno;
		goto free_va;
	}
	reg.range.start = (uintptr_t)s->va;
	reg.range.len = s->size;
	reg.mode = UFFDIO_REGISTER_MODE_MISSING;
	if (ioctl(s->uffd, UFFDIO_API, &api) ||
	    ioctl(s->uffd, UFFDIO_REGISTER, &reg)) {
		ret = -errno;
		goto close_uffd;
	}
	if (!(reg.ioctls & (1ULL << _UFFDIO_COPY)) ||
	    !(reg.ioctls & (1ULL << _UFFDIO_WAKE))) {
		ret = -EOPNOTSUPP;
		goto close_uffd;
	}
	if (pipe2(s->stop, O_CLOEXEC)) {
		ret = -errno;
		goto close_uffd;
	}
	ret = -pthread_create(&s->thread, NULL, uffd_swap_thread, s);
	if (ret)
		goto close_pipe;
	return 0;

close_pipe:
	close(s->stop[0]);
	close(s->stop[1]);
close_uffd:
	close(s->uffd);
	s->uffd = -1;
free_va:
	munmap(va, s->size);
	s->va = NULL;
free_fill:
	munmap(fill, s->page);
	s->fill = NULL;
	return ret;
}

void uffd_swap_stop(struct uffd_swap *s)
{
	struct uffdio_range range = {
		.start = (uintptr_t)s->va,
		.len = s->size,
	};

	if (s->uffd < 0)
		return;
	close(s->stop[1]);
	pthread_join(s->thread, NULL);
	close(s->stop[0]);
	if (ioctl(s->uffd, UFFDIO_UNREGISTER, &range))
		uffd_swap_failed(s, errno);
	close(s->uffd);
	s->uffd = -1;
}

void uffd_swap_free(struct uffd_swap *s)
{
	uffd_swap_stop(s);
	if (s->va)
		munmap(s->va, s->size);
	if (s->fill)
		munmap(s->fill, s->page);
	s->va = NULL;
	s->fill = NULL;
}
