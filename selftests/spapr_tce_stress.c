// SPDX-License-Identifier: GPL-2.0
/*
 * Concurrency stress: the VMM's threads and a KVM guest on one window.
 *
 * Each round builds a whole world: a container (v1 or v2) with the group
 * and the NVMe, a KVM guest with two vcpus whose LIOBN is linked to the
 * group's default window (in-kernel H_PUT_TCE, H_PUT_TCE_INDIRECT and
 * H_STUFF_TCE), and then runs at once:
 *
 *   mappers (2)  MAP and UNMAP of 1 to 4 pages at random slots of one
 *                range of the default window;
 *   vcpus (2)    the guest's H_PUT_TCE (map or clear), H_STUFF_TCE and
 *                H_PUT_TCE_INDIRECT over the same slots;
 *   regions      v2: REGISTER, UNREGISTER, MAP and UNMAP of a second
 *                region of its own;
 *   windows      v2: TCE_CREATE and TCE_REMOVE of a dynamic window.
 *
 * Slot k of the range only ever maps guest page D(k), whoever maps it, so
 * a live entry can only send the device to D(k).  Every call must give
 * one of the results listed for it.  One round in three also tears the
 * world down part-way: the device is closed, the group detached and the
 * container closed while the others keep going.  v1 does it in any
 * order; v2 first takes the group out of KVM (KVM_DEV_VFIO_FILE_DEL),
 * as QEMU does: a LIOBN still linked to the group lets the guest map
 * preregistered memory into the table after the container let it go,
 * which no backend can undo (Documentation/kvm.rst).
 *
 * After a round that ran to its end, with every thread stopped:
 *   - with its first and last slots mapped, UNMAP of the whole range
 *     succeeds, and then the device's DMA into those slots changes not
 *     one byte of guest RAM;
 *   - one slot mapped again takes the device's data into its own page
 *     only;
 *   - v2: UNREGISTER of guest RAM is EBUSY while that slot (and, at
 *     first, a second one) maps it, and succeeds once none does (no
 *     count leaked or lost);
 *   - v2: the second region unregisters, or was not registered.
 * After every round, once the world is gone: VmLck, and (our driver) the
 * module's containers, tables and pinned pages, are back at their values
 * from before the first round.
 *
 * Needs kvm-hv.  A debug kernel (one with kmemleak, see env.h) runs the
 * long version, under KASAN, lockdep and kmemleak.
 */
#include <endian.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "harness.h"
#include "vfio.h"
#include "env.h"
#include "kvm.h"
#include "process.h"
#include "debugfs.h"
#include "rig.h"

#define GUEST_RAM	(2UL << 20)
#define LIOBN		0x80000000ULL
#define PG		4096UL
#define NSLOT		32
#define DATA		0x100000UL	/* guest physical of D(0) */
#define D(k)		(DATA + (unsigned long)(k) * PG)
#define LISTS		0x20000UL	/* a TCE list page per vcpu */
#define RW		(TCE_READ | TCE_WRITE)
#define NVCPU		2
#define NMAPPER		2
#define NR2		8		/* pages of the second region */

#define Q_OFF		0x100000ULL	/* NVMe queues */
#define S_OFF		0x400000ULL	/* the contended range */
#define S2_OFF		0x480000ULL	/* the second region's range */

#define END		1		/* ends a list of allowed results */

struct world {
	struct rig g;
	struct vmm m;			/* the VM and vcpu 0 */
	struct vmm cpu1;		/* vcpu 1 */
	struct dma_region r2;
	uint8_t *snap;
	int table, dev, type;
	uint64_t s, s2;			/* IOVAs of the two ranges */
	unsigned int iters;
	unsigned int seed;
	int chaos_round;		/* this round tears down part-way */
	volatile int chaos;		/* ... and has started to */
	unsigned long ops;		/* calls made, all threads */
	unsigned long problems;
	char problem[256];		/* the first one */
	pthread_mutex_t lock;
	/* hcall results, for the log */
	unsigned long h_success, h_other;
};

/* xorshift32: each thread its own, seeded from the round's seed. */
static unsigned int rnd(unsigned int *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 17;
	*x ^= *x << 5;
	return *x;
}

/* A random run of 1 to 4 slots, @k the first, cut at the range's end. */
static void pick_slots(unsigned int *x, unsigned int *k, unsigned int *n)
{
	*k = rnd(x) % NSLOT;
	*n = 1 + rnd(x) % 4;
	if (*k + *n > NSLOT)
		*n = NSLOT - *k;
}

static void problem(struct world *w, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&w->lock);
	if (!w->problems++) {
		va_start(ap, fmt);
		vsnprintf(w->problem, sizeof(w->problem), fmt, ap);
		va_end(ap);
	}
	pthread_mutex_unlock(&w->lock);
}

/*
 * Is @ret among @ok (a list ending in END)?  Once the world is being torn
 * down, a call may also find the device, the group or the container gone.
 */
static bool allowed(struct world *w, int ret, const int *ok)
{
	static const int gone[] = { -EBADF, -ENODEV, -ENXIO, -EINVAL, -EPERM,
				    -EBUSY, -ENOENT, -ENOSPC, END };
	const int *p;

	for (p = ok; *p != END; p++)
		if (*p == ret)
			return true;
	if (w->chaos)
		for (p = gone; *p != END; p++)
			if (*p == ret)
				return true;
	return false;
}

static void check(struct world *w, const char *what, uint64_t arg, int ret,
		  const int *ok)
{
	__atomic_add_fetch(&w->ops, 1, __ATOMIC_RELAXED);
	if (!allowed(w, ret, ok))
		problem(w, "%s 0x%llx: %s (%d)", what, (unsigned long long)arg,
			strerror(-ret), ret);
}

static int container(struct world *w)
{
	return __atomic_load_n(&w->g.c.container, __ATOMIC_RELAXED);
}

static void *mapper(void *arg)
{
	static const int map_ok[] = { 0, -EBUSY, END };
	static const int unmap_ok[] = { 0, END };
	struct world *w = arg;
	unsigned int x = w->seed ^ (unsigned int)(uintptr_t)&x, i, k, n;
	uint64_t iova;

	for (i = 0; i < w->iters; i++) {
		pick_slots(&x, &k, &n);
		iova = w->s + k * PG;
		if (rnd(&x) & 1)
			check(w, "MAP", iova,
			      vfio_map(container(w), w->m.ram.va + D(k), iova,
				       n * PG, MAP_RW), map_ok);
		else
			check(w, "UNMAP", iova,
			      vfio_unmap(container(w), iova, n * PG), unmap_ok);
	}
	return NULL;
}

struct vcpu_arg {
	struct world *w;
	struct vmm *v;
	unsigned int id;
};

static void *vcpu(void *arg)
{
	struct vcpu_arg *a = arg;
	struct world *w = a->w;
	uint64_t *list = (uint64_t *)(w->m.ram.va + LISTS + a->id * PG);
	unsigned int x = w->seed * (a->id + 7) + 1, i, j, k, n;
	struct vmm_step s;
	uint64_t ioba;
	int ret;

	for (i = 0; i < w->iters; i++) {
		pick_slots(&x, &k, &n);
		ioba = w->s + k * PG;
		switch (rnd(&x) % 3) {
		case 0:
			ret = vmm_hcall(a->v, &s, H_PUT_TCE, LIOBN, ioba,
					(rnd(&x) & 1) ? D(k) | RW : 0, 0);
			break;
		case 1:
			ret = vmm_hcall(a->v, &s, H_STUFF_TCE, LIOBN, ioba, 0,
					n);
			break;
		default:
			for (j = 0; j < n; j++)
				list[j] = htobe64(D(k + j) | RW);
			__sync_synchronize();
			ret = vmm_hcall(a->v, &s, H_PUT_TCE_INDIRECT, LIOBN,
					ioba, LISTS + a->id * PG, n);
			break;
		}
		__atomic_add_fetch(&w->ops, 1, __ATOMIC_RELAXED);
		if (ret) {
			problem(w, "vcpu %u: hcall did not come back: %s "
				"(exit reason %u, trap at 0x%llx)", a->id,
				strerror(-ret), a->v->bad_reason,
				(unsigned long long)a->v->trap_srr0);
			break;
		}
		if (s.ret == H_SUCCESS)
			__atomic_add_fetch(&w->h_success, 1, __ATOMIC_RELAXED);
		else
			__atomic_add_fetch(&w->h_other, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

static void *regions(void *arg)
{
	static const int reg_ok[] = { 0, -EBUSY, END };
	static const int unreg_ok[] = { 0, -EBUSY, -ENOENT, END };
	static const int map_ok[] = { 0, -EBUSY, -EINVAL, END };
	static const int unmap_ok[] = { 0, END };
	struct world *w = arg;
	unsigned int x = w->seed + 0x5eed, i, p;
	uint64_t iova;

	for (i = 0; i < w->iters; i++) {
		p = rnd(&x) % NR2;
		iova = w->s2 + p * PG;
		switch (rnd(&x) % 4) {
		case 0:
			check(w, "REGISTER", 0,
			      vfio_register(container(w), w->r2.va,
					    w->r2.size), reg_ok);
			break;
		case 1:
			check(w, "UNREGISTER", 0,
			      vfio_unregister(container(w), w->r2.va,
					      w->r2.size), unreg_ok);
			break;
		case 2:
			check(w, "MAP(region 2)", iova,
			      vfio_map(container(w), w->r2.va + p * PG, iova,
				       PG, MAP_RW), map_ok);
			break;
		default:
			check(w, "UNMAP(region 2)", iova,
			      vfio_unmap(container(w), iova, PG), unmap_ok);
			break;
		}
	}
	return NULL;
}

static void *windows(void *arg)
{
	static const int create_ok[] = { 0, -ENOSPC, END };
	static const int remove_ok[] = { 0, END };
	struct world *w = arg;
	unsigned int i;
	uint64_t start;
	int ret;

	for (i = 0; i < w->iters / 4; i++) {
		ret = vfio_create_window(container(w), DDW_SHIFT, DDW_SIZE, 1,
					 &start);
		check(w, "TCE_CREATE", DDW_SIZE, ret, create_ok);
		if (ret)
			continue;
		check(w, "TCE_REMOVE", start,
		      vfio_remove_window(container(w), start), remove_ok);
	}
	return NULL;
}

/* Tear the world down part-way, once half the calls have been made. */
static void *closer(void *arg)
{
	struct world *w = arg;
	unsigned long half = (unsigned long)w->iters * (NMAPPER + NVCPU) / 2;
	int fd, ret;

	while (__atomic_load_n(&w->ops, __ATOMIC_RELAXED) < half &&
	       !w->problems)
		usleep(1000);
	w->chaos = 1;
	__sync_synchronize();
	if (w->type == SPAPR_V2) {
		ret = kvm_vfio_del(w->dev, w->g.c.group);
		if (ret)
			problem(w, "KVM_DEV_VFIO_FILE_DEL: %s", strerror(-ret));
	}
	nvme_close(&w->g.n);
	w->g.n_open = false;
	ret = vfio_group_unset_container(w->g.c.group);
	if (ret)
		problem(w, "UNSET_CONTAINER part-way: %s", strerror(-ret));
	fd = container(w);
	__atomic_store_n(&w->g.c.container, -1, __ATOMIC_RELAXED);
	close(fd);
	return NULL;
}

FIXTURE(stress) {
	struct world w;
	struct modstats base;
	bool have_stats;
	long base_lck;
	unsigned int rounds;
};

FIXTURE_VARIANT(stress) {
	int type;
};

FIXTURE_VARIANT_ADD(stress, v1) { .type = SPAPR_V1 };
FIXTURE_VARIANT_ADD(stress, v2) { .type = SPAPR_V2 };

FIXTURE_SETUP(stress)
{
	if (!env_kvm())
		SKIP(return, "no kvm-hv on %s (kvm_hv not loaded, or no /dev/kvm)",
		     env_machine());
	ASSERT_NE(0, strlen(env_serial())) TH_LOG("SPAPR_SERIAL is not set");
	self->have_stats = modstats_read(&self->base) == 0;
	self->base_lck = locked_vm_kb();
	ASSERT_LE(0, self->base_lck);
	self->rounds = env_debug() ? 4 : 3;
	self->w.iters = env_debug() ? 1000 : 300;
	pthread_mutex_init(&self->w.lock, NULL);
}

FIXTURE_TEARDOWN(stress)
{
}

/* Build the round's world: container, device, guest, link. */
static void world_up(struct __test_metadata *_metadata, struct world *w,
		     int type)
{
	struct spapr_ctx *c = &w->g.c;
	const char *step;
	int ret;

	w->type = type;
	ret = ctx_open(c, type, &step);
	ASSERT_EQ(0, ret) TH_LOG("%s: %s", step, strerror(-ret));
	if (type == SPAPR_V1)
		ASSERT_EQ(0, vfio_enable(c->container));
	ret = vmm_open(&w->m, GUEST_RAM, &step);
	ASSERT_EQ(0, ret) TH_LOG("vcpu 0: %s: %s", step, strerror(-ret));
	ret = vmm_add_vcpu(&w->m, &w->cpu1, 1, &step);
	ASSERT_EQ(0, ret) TH_LOG("vcpu 1: %s: %s", step, strerror(-ret));
	if (type == SPAPR_V2)
		ASSERT_EQ(0, vfio_register(c->container, w->m.ram.va,
					   w->m.ram.size));
	ret = rig_start(&w->g, c->win32_start + Q_OFF, DEF_WIN_PAGE, false,
			&step);
	ASSERT_EQ(0, ret) TH_LOG("%s: %s", step, strerror(-ret));
	ASSERT_EQ(0, dma_region_alloc(&w->r2, NR2 * PG, false));
	w->snap = malloc(w->m.ram.size);
	ASSERT_NE(NULL, w->snap);
	w->s = c->win32_start + S_OFF;
	w->s2 = c->win32_start + S2_OFF;

	ASSERT_EQ(0, vmm_enable_hcall(&w->m, H_PUT_TCE_INDIRECT, true));
	ASSERT_EQ(0, vmm_enable_hcall(&w->m, H_STUFF_TCE, true));
	ret = kvm_tce_link(w->m.vm, c->group, LIOBN, 12, c->win32_start,
			   c->win32_size, &w->table, &w->dev, &step);
	ASSERT_EQ(0, ret) TH_LOG("%s: %s", step, strerror(-ret));
}

/* Device, KVM (its hold on the group and the table), then VFIO. */
static void world_down(struct world *w)
{
	if (w->g.n_open)
		nvme_close(&w->g.n);
	w->g.n_open = false;
	kvm_tce_unlink(&w->table, &w->dev);
	vmm_close(&w->cpu1);
	vmm_close(&w->m);
	rig_stop(&w->g);
	dma_region_free(&w->r2);
	free(w->snap);
	w->snap = NULL;
}

static size_t ram_changed(struct world *w)
{
	size_t i, n = 0;

	__sync_synchronize();
	for (i = 0; i < w->m.ram.size; i++)
		if (w->m.ram.va[i] != w->snap[i])
			n++;
	return n;
}

/* Identify into @iova; return the bytes of guest RAM it changed. */
static size_t dma_into(struct __test_metadata *_metadata, struct world *w,
		       uint64_t iova)
{
	uint16_t status = 0xffff;

	memset(w->m.ram.va + DATA, POISON, NSLOT * PG);
	memcpy(w->snap, w->m.ram.va, w->m.ram.size);
	ASSERT_EQ(0, nvme_identify(&w->g.n, iova, &status));
	return ram_changed(w);
}

/* The checks of a round that ran to its end, threads stopped. */
static void round_checks(struct __test_metadata *_metadata, struct world *w,
			 unsigned int round)
{
	struct spapr_ctx *c = &w->g.c;
	unsigned int m = (round * 7 + 3) % NSLOT, m2, k;
	char want[NVME_SN_LEN];
	int ret;

	/* Slots 0 and last mapped (by whoever), then the UNMAP of all. */
	for (k = 0; k < NSLOT; k += NSLOT - 1) {
		ret = vfio_map(c->container, w->m.ram.va + D(k), w->s + k * PG,
			       PG, MAP_RW);
		ASSERT_TRUE(ret == 0 || ret == -EBUSY)
			TH_LOG("MAP of slot %u: %s", k, strerror(-ret));
	}
	ASSERT_EQ(0, vfio_unmap(c->container, w->s, NSLOT * PG));
	EXPECT_EQ(0, dma_into(_metadata, w, w->s))
		TH_LOG("DMA into the cleared slot 0 reached guest RAM");
	EXPECT_EQ(0, dma_into(_metadata, w, w->s + (NSLOT - 1) * PG))
		TH_LOG("DMA into the cleared last slot reached guest RAM");

	ASSERT_EQ(0, vfio_map(c->container, w->m.ram.va + D(m), w->s + m * PG,
			      PG, MAP_RW));
	EXPECT_LT(0, dma_into(_metadata, w, w->s + m * PG));
	nvme_expected_serial(want);
	EXPECT_EQ(0, memcmp(w->m.ram.va + D(m) + NVME_SN_OFF, want,
			    NVME_SN_LEN)) TH_LOG("slot %u: not in D(%u)", m, m);
	EXPECT_EQ(0, memcmp(w->m.ram.va, w->snap, D(m)));
	EXPECT_EQ(0, memcmp(w->m.ram.va + D(m) + PG, w->snap + D(m) + PG,
			    w->m.ram.size - D(m) - PG))
		TH_LOG("the DMA into slot %u reached beyond D(%u)", m, m);

	if (w->type == SPAPR_V2) {
		/* Two slots map it; with one unmapped it is still busy. */
		m2 = (m + NSLOT / 2) % NSLOT;
		ASSERT_EQ(0, vfio_map(c->container, w->m.ram.va + D(m2),
				      w->s + m2 * PG, PG, MAP_RW));
		EXPECT_EQ(-EBUSY, vfio_unregister(c->container, w->m.ram.va,
						  w->m.ram.size));
		ASSERT_EQ(0, vfio_unmap(c->container, w->s + m2 * PG, PG));
		EXPECT_EQ(-EBUSY, vfio_unregister(c->container, w->m.ram.va,
						  w->m.ram.size))
			TH_LOG("guest RAM unregisters while slot %u maps it", m);
	}
	ASSERT_EQ(0, vfio_unmap(c->container, w->s + m * PG, PG));
	if (w->type != SPAPR_V2)
		return;
	EXPECT_EQ(0, vfio_unregister(c->container, w->m.ram.va,
				     w->m.ram.size))
		TH_LOG("guest RAM still counted as mapped after UNMAP of all");
	ASSERT_EQ(0, vfio_unmap(c->container, w->s2, NR2 * PG));
	ret = vfio_unregister(c->container, w->r2.va, w->r2.size);
	EXPECT_TRUE(ret == 0 || ret == -ENOENT)
		TH_LOG("region 2: UNREGISTER after UNMAP of all: %s",
		       strerror(-ret));
}

TEST_F_TIMEOUT(stress, rounds_keep_invariants, 580)
{
	struct world *w = &self->w;
	struct vcpu_arg va[NVCPU];
	pthread_t t[NMAPPER + NVCPU + 3];
	struct modstats now;
	unsigned int round, n, i;

	if (variant->type == SPAPR_V2)
		INTREE_BUG("UNREGISTER of a mapped region returns 0 and leaks "
			   "it (destroy_context WARN at exit; uapi.rst 3)");
	for (round = 0; round < self->rounds; round++) {
		memset(&w->g, 0, sizeof(w->g));
		w->g.c.container = w->g.c.group = -1;
		w->g.n.dev = -1;
		w->table = w->dev = -1;
		w->ops = w->problems = w->h_success = w->h_other = 0;
		w->problem[0] = 0;
		w->seed = 0x9e3779b9u * (round + 1);
		w->chaos_round = round % 3 == 2;
		w->chaos = 0;
		world_up(_metadata, w, variant->type);

		n = 0;
		for (i = 0; i < NMAPPER; i++) {
			ASSERT_EQ(0, pthread_create(&t[n++], NULL, mapper, w));
		}
		va[0] = (struct vcpu_arg){ w, &w->m, 0 };
		va[1] = (struct vcpu_arg){ w, &w->cpu1, 1 };
		for (i = 0; i < NVCPU; i++) {
			ASSERT_EQ(0, pthread_create(&t[n++], NULL, vcpu,
						    &va[i]));
		}
		if (variant->type == SPAPR_V2)
			ASSERT_EQ(0, pthread_create(&t[n++], NULL, regions, w));
		if (variant->type == SPAPR_V2 && ddw_has_64k(&w->g.c))
			ASSERT_EQ(0, pthread_create(&t[n++], NULL, windows, w));
		if (w->chaos_round)
			ASSERT_EQ(0, pthread_create(&t[n++], NULL, closer, w));
		for (i = 0; i < n; i++)
			pthread_join(t[i], NULL);

		TH_LOG("round %u%s: %lu calls, guest hcalls %lu H_SUCCESS, "
		       "%lu other, %lu forwarded", round,
		       w->chaos_round ? " (torn down part-way)" : "", w->ops,
		       w->h_success, w->h_other,
		       w->m.fallbacks + w->cpu1.fallbacks);
		EXPECT_EQ(0, w->problems) TH_LOG("round %u: %lu unexpected "
						 "results, the first: %s",
						 round, w->problems,
						 w->problem);
		if (!w->chaos_round)
			round_checks(_metadata, w, round);
		world_down(w);

		EXPECT_EQ(self->base_lck, locked_vm_kb())
			TH_LOG("round %u: VmLck not back", round);
		if (self->have_stats) {
			ASSERT_EQ(0, modstats_read(&now));
			EXPECT_EQ(0, modstats_differ(&self->base, &now))
				TH_LOG("round %u: containers %ld tables %ld "
				       "pinned %ld, were %ld %ld %ld", round,
				       now.containers, now.tables,
				       now.pinned_pages,
				       self->base.containers, self->base.tables,
				       self->base.pinned_pages);
		}
		if (_metadata->exit_code)
			break;
	}
}

SPAPR_HARNESS_MAIN
