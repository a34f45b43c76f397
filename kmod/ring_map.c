// SPDX-License-Identifier: GPL-2.0
/*
 * Mapped rings: the mappings. KIPC_IOC_RING_MAPFD makes a descriptor that
 * carries an end's rights and can be mmap()ed (an end cannot: mmap(2)
 * wants shared writable mappings of files open for reading and writing);
 * its three areas are filled in on fault with the ring's pages, the data
 * pages twice in a row. Which area is writable through which end is the
 * uapi header's rule, checked here once, at mmap time: VM_MAYWRITE is
 * cleared where writing is not allowed, so mprotect(2) cannot add it.
 */
#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/mm.h>
#include <linux/slab.h>

#include "compat.h"
#include "ring.h"

/* Mapping offsets as page offsets. */
#define RING_PGOFF_PROD	(KIPC_RING_OFF_PROD >> PAGE_SHIFT)
#define RING_PGOFF_CONS	(KIPC_RING_OFF_CONS >> PAGE_SHIFT)
#define RING_PGOFF_DATA	(KIPC_RING_OFF_DATA >> PAGE_SHIFT)

static vm_fault_t kipc_ring_fault(struct vm_fault *vmf)
{
	struct kipc_ring *r = vmf->vma->vm_private_data;
	pgoff_t pgoff = vmf->pgoff;
	struct page *page;

	if (pgoff == RING_PGOFF_PROD)
		page = virt_to_page(r->prod);
	else if (pgoff == RING_PGOFF_CONS)
		page = virt_to_page(r->cons);
	else if (pgoff >= RING_PGOFF_DATA &&
		 pgoff - RING_PGOFF_DATA < 2 * r->nr_pages)
		page = r->pages[(pgoff - RING_PGOFF_DATA) % r->nr_pages];
	else
		return VM_FAULT_SIGBUS;
	get_page(page);
	vmf->page = page;
	return 0;
}

/* A writer's producer page going away may end a lock holder's life. */
static void kipc_ring_vm_close(struct vm_area_struct *vma)
{
	struct kipc_ring *r = vma->vm_private_data;

	if (vma->vm_pgoff == RING_PGOFF_PROD)
		wake_up_interruptible_all(&r->lock_wait);
}

static int kipc_ring_may_split(struct vm_area_struct *vma, unsigned long addr)
{
	return -EINVAL;
}

static int kipc_ring_mremap(struct vm_area_struct *vma)
{
	return -EINVAL;
}

static const struct vm_operations_struct kipc_ring_vm_ops = {
	.fault		= kipc_ring_fault,
	.close		= kipc_ring_vm_close,
	.may_split	= kipc_ring_may_split,
	.mremap		= kipc_ring_mremap,
};

/**
 * struct kipc_ring_mapper - what a KIPC_IOC_RING_MAPFD descriptor maps
 * @ring:     the ring
 * @end:      the pipe end it was made from (a reference is held, so the
 *            end stays open while the descriptor or a mapping lives)
 * @fmode:    that end's FMODE_READ and FMODE_WRITE
 * @may_read: its opener may read the pipe (see struct kipc_handle)
 */
struct kipc_ring_mapper {
	struct kipc_ring *ring;
	struct file *end;
	fmode_t fmode;
	bool may_read;
};

/*
 * Map one of the three areas with the rights of the end the descriptor
 * was made from; the descriptor itself is open for reading and writing
 * only because mmap(2) asks that of every shared writable mapping.
 */
static int kipc_ring_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct kipc_ring_mapper *m = file->private_data;
	unsigned long pages = vma_pages(vma);
	struct kipc_ring *r = m->ring;
	fmode_t fmode = m->fmode;
	bool may_read = m->may_read;
	bool readable, writable;

	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	switch (vma->vm_pgoff) {
	case RING_PGOFF_PROD:
		if (pages != 1)
			return -EINVAL;
		readable = true;
		writable = fmode & FMODE_WRITE;
		break;
	case RING_PGOFF_CONS:
		if (pages != 1)
			return -EINVAL;
		readable = true;
		writable = fmode & FMODE_READ;
		break;
	case RING_PGOFF_DATA:
		if (pages != 2 * r->nr_pages)
			return -EINVAL;
		readable = (fmode & FMODE_READ) || may_read;
		writable = (fmode & FMODE_WRITE) && may_read;
		break;
	default:
		return -EINVAL;
	}
	if (!readable || ((vma->vm_flags & VM_WRITE) && !writable))
		return -EACCES;
	if (!writable)
		vm_flags_clear(vma, VM_MAYWRITE);
	vm_flags_clear(vma, VM_MAYEXEC);
	vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP);
	vma->vm_ops = &kipc_ring_vm_ops;
	vma->vm_private_data = r;
	return 0;
}

static int kipc_ring_mapper_release(struct inode *inode, struct file *file)
{
	struct kipc_ring_mapper *m = file->private_data;

	fput(m->end);
	kfree(m);
	return 0;
}

static const struct file_operations kipc_ring_mapper_fops = {
	.owner		= THIS_MODULE,
	.mmap		= kipc_ring_mmap,
	.release	= kipc_ring_mapper_release,
};

/* KIPC_IOC_RING_MAPFD: a descriptor to mmap @end's ring through. */
long kipc_ring_mapfd(struct kipc_ring *r, struct file *end)
{
	struct kipc_handle *h = kipc_file_handle(end);
	struct kipc_ring_mapper *m;
	struct file *file;
	int fd;

	m = kzalloc(sizeof(*m), GFP_KERNEL_ACCOUNT);
	if (!m)
		return -ENOMEM;
	m->ring = r;
	m->fmode = h->fmode & (FMODE_READ | FMODE_WRITE);
	m->may_read = h->may_read;
	m->end = get_file(end);

	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0)
		goto err;
	file = anon_inode_getfile("[kipc-ring]", &kipc_ring_mapper_fops, m,
				  O_RDWR);
	if (IS_ERR(file)) {
		put_unused_fd(fd);
		fd = PTR_ERR(file);
		goto err;
	}
	fd_install(fd, file);
	return fd;

err:
	fput(m->end);
	kfree(m);
	return fd;
}
