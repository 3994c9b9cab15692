/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Memory that changes under a kernel call that pins it: anonymous pages
 * that a userfaultfd thread fills with a pattern on their first touch.
 * When page @trigger faults for the first time, the thread first drops
 * page @victim (MADV_DONTNEED), which the call may already have pinned:
 * the pinned page stays the call's, and the process gets a fresh one the
 * next time the victim is touched.
 */
#ifndef SPAPR_UFFD_SWAP_H
#define SPAPR_UFFD_SWAP_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define UFFD_SWAP_MAX_PAGES 8

struct uffd_swap {
	uint8_t *va;		/* @pages system pages, none present yet */
	size_t size;
	size_t page;		/* the system page size */
	size_t trigger, victim;	/* page indexes */
	uint8_t *fill;		/* one page of the pattern */
	int uffd;
	int stop[2];		/* a pipe: the thread returns when it closes */
	pthread_t thread;
	/* Written by the thread; read them after uffd_swap_stop(). */
	unsigned int faults[UFFD_SWAP_MAX_PAGES];
	bool swapped;		/* the victim was dropped */
	int error;		/* the first errno the thread met, or 0 */
};

/*
 * Map @pages system pages, register them for missing-page faults and start
 * the thread.  0, -EOPNOTSUPP where the kernel has no userfaultfd for
 * this process (or none that can copy and wake), or another -errno.  A
 * fault the thread cannot serve sets @error and unregisters the range,
 * which lets the faulting call go on rather than wait for ever.
 */
int uffd_swap_start(struct uffd_swap *s, size_t pages, size_t trigger,
		    size_t victim, uint8_t pattern);
/* Stop the thread and unregister; the memory stays mapped. */
void uffd_swap_stop(struct uffd_swap *s);
/* Stop, and unmap the memory; harmless after a failed start. */
void uffd_swap_free(struct uffd_swap *s);

#endif
