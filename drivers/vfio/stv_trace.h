/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * spapr-tce-vfio: tracepoints, one event per container operation.
 *
 * Every event names its container by the id shown in the per-container
 * debugfs view and in the debug log.  MAP and UNMAP emit one event per
 * ioctl, not one per page.  A failed ioctl also emits "refuse", with the
 * ioctl, the check that refused it where one was named, and the errno.
 * Disabled tracepoints cost one patched-out branch each.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM vfio_spapr_tce

#if !defined(_STV_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _STV_TRACE_H

#include <linux/tracepoint.h>

#include "stv_compat.h"

DECLARE_EVENT_CLASS(stv_group_event,
		    TP_PROTO(u32 container, int group, int ret),
		    TP_ARGS(container, group, ret),
		    TP_STRUCT__entry(__field(u32, container)
				     __field(int, group)
				     __field(int, ret)),
		    TP_fast_assign(__entry->container = container;
				   __entry->group = group;
				   __entry->ret = ret;),
		    TP_printk("container=%u group=%d ret=%d",
			      __entry->container, __entry->group, __entry->ret)
);

DEFINE_EVENT(stv_group_event, stv_attach,
	     TP_PROTO(u32 container, int group, int ret),
	     TP_ARGS(container, group, ret));

DEFINE_EVENT(stv_group_event, stv_detach,
	     TP_PROTO(u32 container, int group, int ret),
	     TP_ARGS(container, group, ret));

DECLARE_EVENT_CLASS(stv_enable_event,
		    TP_PROTO(u32 container, unsigned long pages, long ret),
		    TP_ARGS(container, pages, ret),
		    TP_STRUCT__entry(__field(u32, container)
				     __field(unsigned long, pages)
				     __field(long, ret)),
		    TP_fast_assign(__entry->container = container;
				   __entry->pages = pages;
				   __entry->ret = ret;),
		    TP_printk("container=%u locked_pages=%lu ret=%ld",
			      __entry->container, __entry->pages, __entry->ret)
);

DEFINE_EVENT(stv_enable_event, stv_enable,
	     TP_PROTO(u32 container, unsigned long pages, long ret),
	     TP_ARGS(container, pages, ret));

DEFINE_EVENT(stv_enable_event, stv_disable,
	     TP_PROTO(u32 container, unsigned long pages, long ret),
	     TP_ARGS(container, pages, ret));

DECLARE_EVENT_CLASS(stv_prereg_event,
		    TP_PROTO(u32 container, u64 ua, u64 size, long ret),
		    TP_ARGS(container, ua, size, ret),
		    TP_STRUCT__entry(__field(u32, container)
				     __field(u64, ua)
				     __field(u64, size)
				     __field(long, ret)),
		    TP_fast_assign(__entry->container = container;
				   __entry->ua = ua;
				   __entry->size = size;
				   __entry->ret = ret;),
		    TP_printk("container=%u ua=0x%llx size=0x%llx ret=%ld",
			      __entry->container, __entry->ua, __entry->size,
			      __entry->ret)
);

DEFINE_EVENT(stv_prereg_event, stv_register,
	     TP_PROTO(u32 container, u64 ua, u64 size, long ret),
	     TP_ARGS(container, ua, size, ret));

DEFINE_EVENT(stv_prereg_event, stv_unregister,
	     TP_PROTO(u32 container, u64 ua, u64 size, long ret),
	     TP_ARGS(container, ua, size, ret));

TRACE_EVENT(stv_window_create,
	    TP_PROTO(u32 container, u32 page_shift, u64 size, u32 levels,
		     u64 start, long ret),
	    TP_ARGS(container, page_shift, size, levels, start, ret),
	    TP_STRUCT__entry(__field(u32, container)
			     __field(u32, page_shift)
			     __field(u64, size)
			     __field(u32, levels)
			     __field(u64, start)
			     __field(long, ret)),
	    TP_fast_assign(__entry->container = container;
			   __entry->page_shift = page_shift;
			   __entry->size = size;
			   __entry->levels = levels;
			   __entry->start = start;
			   __entry->ret = ret;),
	    TP_printk("container=%u page_shift=%u size=0x%llx levels=%u start=0x%llx ret=%ld",
		      __entry->container, __entry->page_shift, __entry->size,
		      __entry->levels, __entry->start, __entry->ret)
);

TRACE_EVENT(stv_window_remove,
	    TP_PROTO(u32 container, u64 start, long ret),
	    TP_ARGS(container, start, ret),
	    TP_STRUCT__entry(__field(u32, container)
			     __field(u64, start)
			     __field(long, ret)),
	    TP_fast_assign(__entry->container = container;
			   __entry->start = start;
			   __entry->ret = ret;),
	    TP_printk("container=%u start=0x%llx ret=%ld",
		      __entry->container, __entry->start, __entry->ret)
);

DECLARE_EVENT_CLASS(stv_dma_event,
		    TP_PROTO(u32 container, u64 iova, u64 size, u32 flags,
			     unsigned long entries, long ret),
		    TP_ARGS(container, iova, size, flags, entries, ret),
		    TP_STRUCT__entry(__field(u32, container)
				     __field(u64, iova)
				     __field(u64, size)
				     __field(u32, flags)
				     __field(unsigned long, entries)
				     __field(long, ret)),
		    TP_fast_assign(__entry->container = container;
				   __entry->iova = iova;
				   __entry->size = size;
				   __entry->flags = flags;
				   __entry->entries = entries;
				   __entry->ret = ret;),
		    TP_printk("container=%u iova=0x%llx size=0x%llx flags=0x%x entries=%lu ret=%ld",
			      __entry->container, __entry->iova, __entry->size,
			      __entry->flags, __entry->entries, __entry->ret)
);

DEFINE_EVENT(stv_dma_event, stv_map,
	     TP_PROTO(u32 container, u64 iova, u64 size, u32 flags,
		      unsigned long entries, long ret),
	     TP_ARGS(container, iova, size, flags, entries, ret));

DEFINE_EVENT(stv_dma_event, stv_unmap,
	     TP_PROTO(u32 container, u64 iova, u64 size, u32 flags,
		      unsigned long entries, long ret),
	     TP_ARGS(container, iova, size, flags, entries, ret));

TRACE_EVENT(stv_refuse,
	    TP_PROTO(u32 container, const char *op, const char *check,
		     long ret),
	    TP_ARGS(container, op, check, ret),
	    TP_STRUCT__entry(__field(u32, container)
			     __string(op, op)
			     __string(check, check)
			     __field(long, ret)),
	    TP_fast_assign(__entry->container = container;
			   stv_assign_str(op, op);
			   stv_assign_str(check, check);
			   __entry->ret = ret;),
	    TP_printk("container=%u op=%s check=\"%s\" ret=%ld",
		      __entry->container, __get_str(op), __get_str(check),
		      __entry->ret)
);

#endif /* _STV_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE stv_trace
#include <trace/define_trace.h>
