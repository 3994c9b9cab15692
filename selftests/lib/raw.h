/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Raw-argument variants of MAP/UNMAP for error-path tests: every field,
 * argsz and flags included, under the caller's control.
 */
#ifndef SPAPR_RAW_H
#define SPAPR_RAW_H

#include <stdint.h>

int raw_map(int container, uint32_t argsz, uint32_t flags, uint64_t vaddr,
	    uint64_t iova, uint64_t size);
int raw_unmap(int container, uint32_t argsz, uint32_t flags, uint64_t iova,
	      uint64_t size);
int raw_register(int container, unsigned long req, uint32_t argsz,
		 uint32_t flags, uint64_t vaddr, uint64_t size);

#endif
