/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one place for the differences between the kernels kipc builds for,
 * Debian's 6.1 and 6.12. Everything else is written against 6.12 and
 * this header fills in what 6.1 lacks.
 *
 * Features are told apart by what the headers define rather than by
 * LINUX_VERSION_CODE, which distribution backports make unreliable.
 */
#ifndef _KIPC_COMPAT_H
#define _KIPC_COMPAT_H

#include <linux/mm.h>

/*
 * 6.3 made vma->vm_flags read-only (per-VMA locks) and added accessors;
 * on 6.1 a driver's ->mmap still writes the field. VM_LOCKED_MASK came
 * in the same series (it replaced VM_LOCKED_CLEAR_MASK) and, unlike the
 * accessors, is a macro the preprocessor can see.
 */
#ifndef VM_LOCKED_MASK
static inline void vm_flags_clear(struct vm_area_struct *vma,
				  vm_flags_t flags)
{
	vma->vm_flags &= ~flags;
}

static inline void vm_flags_set(struct vm_area_struct *vma, vm_flags_t flags)
{
	vma->vm_flags |= flags;
}
#endif

#endif /* _KIPC_COMPAT_H */
