// SPDX-License-Identifier: GPL-2.0
/*
 * Shareable mmap regions.
 *
 * Backing: a region is an unlinked shmem (tmpfs) file from
 * shmem_file_setup(), like memfd_create() and System V shm. Its pages are
 * page cache that can be swapped, are charged to the memory cgroup of
 * whoever touches them first, read as zero until written, and are what
 * every process mapping the region maps: one set of physical pages. The
 * file is created VM_NORESERVE (like memfd), so only touched pages count
 * against overcommit; the whole size is charged to the creator's kipc
 * quota instead, since that is what the region can pin.
 *
 * A handle is an anon-inode file like every kipc object. mmap() points the
 * new VMA at a second file on the same shmem inode, made for that mapping
 * (kipc_shm_map_file()), and lets shmem's own ->mmap install its vm_ops,
 * so faults, reclaim, truncation and THP are shmem's, untouched. That
 * mapping file is ours (fops owned by this module) and holds a reference
 * to the region: the VMA keeps the region, its quota charge and the
 * module alive until the last VMA made from it is gone, however the
 * handles and the name went before. This is ipc/shm.c's per-attach file,
 * less its vm_ops wrapper: keeping shmem's vm_ops leaves the VMA a plain
 * shmem VMA to the rest of mm, and the only module code a mapping reaches
 * is its file's ->release, which runs before the file lets the module go.
 * (SysV shm also uses shmem_kernel_file_setup(), which 6.1 does not
 * export to modules.)
 *
 * Sizes are whole pages and never change implicitly: writes stop at the
 * end, resizes go through kipc_shm_ioc_resize() and vfs_truncate(), which
 * unmaps what a shrink cuts off so that touching it raises SIGBUS.
 *
 * Seals follow memfd. KIPC_SEAL_WRITE uses the same mechanism as
 * F_SEAL_WRITE: the shmem mapping's i_mmap_writable counts shared
 * writable mappings, mapping_deny_writable() turns it negative when
 * there are none, and a negative count makes mapping_map_writable() fail.
 * Because a kipc VMA only reaches the shmem mapping after ->mmap (the
 * core's own temporary count is taken on our anon file), each writable
 * mapping file holds a count of its own from ->mmap until it is released,
 * which closes the window between ->mmap and the VMA being linked. The
 * seals are also copied into shmem's own seals, so that shmem refuses
 * what they forbid even through a path that bypasses us (a privileged
 * open of /proc/PID/map_files/...).
 *
 * KIPC_SEAL_WRITE also fails with EBUSY while a page is pinned for DMA
 * (FOLL_PIN: io_uring fixed buffers, RDMA, vfio): such a pin was taken
 * through a writable mapping that may be gone and may still write, as
 * memfd's F_SEAL_WRITE refuses. Unlike memfd, sealing does not wait for
 * transient references (direct I/O taken with FOLL_GET) to go away.
 *
 * Locking: @lock is taken for reading by write() across "clamp to the
 * size, then write" and for writing by resize and seal, so a write never
 * grows the region and never lands after a write seal. It nests outside
 * shmem's locks (sb_start_write, the inode lock) and mmap_lock (a fault
 * on the user buffer). ->mmap runs under mmap_lock and therefore takes
 * neither @lock nor the inode lock: it reads @seals locklessly and
 * leaves the race with KIPC_SEAL_WRITE to i_mmap_writable as above.
 */
#include <linux/fcntl.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/pagemap.h>
#include <linux/pagevec.h>
#include <linux/rbtree.h>
#include <linux/rwsem.h>
#include <linux/shmem_fs.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/uaccess.h>
#include <linux/uio.h>
#include <net/netlink.h>

#include "compat.h"
#include "internal.h"

/* The seals are memfd's, so they can be copied into shmem's as they are. */
static_assert(KIPC_SEAL_SEAL == F_SEAL_SEAL);
static_assert(KIPC_SEAL_SHRINK == F_SEAL_SHRINK);
static_assert(KIPC_SEAL_GROW == F_SEAL_GROW);
static_assert(KIPC_SEAL_WRITE == F_SEAL_WRITE);
static_assert(KIPC_SEAL_FUTURE_WRITE == F_SEAL_FUTURE_WRITE);

#define KIPC_SEALS_NO_WRITE	(KIPC_SEAL_WRITE | KIPC_SEAL_FUTURE_WRITE)

/* The largest size a module parameter may allow: what a file can be. */
#define KIPC_SHM_LIMIT		((unsigned long)MAX_LFS_FILESIZE & PAGE_MASK)

static unsigned long shm_default_bytes = SZ_1M;
static unsigned long shm_max_bytes = SZ_1G;

/* Both parameters: a whole number of pages, at least one. */
static int kipc_shm_param_set(const char *val, const struct kernel_param *kp)
{
	unsigned long bytes;
	int err;

	err = kstrtoul(val, 0, &bytes);
	if (err)
		return err;
	if (!bytes || !PAGE_ALIGNED(bytes) || bytes > KIPC_SHM_LIMIT)
		return -EINVAL;
	WRITE_ONCE(*(unsigned long *)kp->arg, bytes);
	return 0;
}

static const struct kernel_param_ops kipc_shm_param_ops = {
	.set	= kipc_shm_param_set,
	.get	= param_get_ulong,
};

module_param_cb(shm_default_bytes, &kipc_shm_param_ops, &shm_default_bytes,
		0644);
MODULE_PARM_DESC(shm_default_bytes,
		 "Size of a region created with size 0, bytes (whole pages)");
module_param_cb(shm_max_bytes, &kipc_shm_param_ops, &shm_max_bytes, 0644);
MODULE_PARM_DESC(shm_max_bytes,
		 "Largest region, bytes (whole pages; larger is EINVAL)");

/**
 * struct kipc_shm - a region
 * @obj:        the common part
 * @filp:       the shmem file that holds the pages; immutable; the region
 *              holds one reference and each mapping file one on its inode
 * @lock:       see "Locking" above; protects @seals (written also under
 *              the inode lock, read locklessly by ->mmap) and the size
 *              (i_size of @filp, which only resize changes)
 * @seals:      KIPC_SEAL_*, only ever growing
 * @stats_lock: protects the counters below it
 * @high_water: most resident bytes seen (by write, resize and stat)
 * @writes:     successful write() calls
 * @written:    bytes they wrote
 * @reads:      successful read() calls
 * @read:       bytes they read
 */
struct kipc_shm {
	struct kipc_obj obj;
	struct file *filp;

	struct rw_semaphore lock;	/* see above */
	u32 seals;

	spinlock_t stats_lock;		/* protects the fields below */
	u64 high_water;
	u64 writes;
	u64 written;
	u64 reads;
	u64 read;
};

static struct kipc_shm *kipc_shm(struct kipc_obj *obj)
{
	return container_of(obj, struct kipc_shm, obj);
}

static struct kipc_shm *kipc_shm_file(struct file *file)
{
	return kipc_shm(kipc_file_handle(file)->obj);
}

static loff_t kipc_shm_size(struct kipc_shm *shm)
{
	return i_size_read(file_inode(shm->filp));
}

static u64 kipc_shm_resident(struct kipc_shm *shm)
{
	return (u64)READ_ONCE(shm->filp->f_mapping->nrpages) << PAGE_SHIFT;
}

/* Remember the resident size if it is the largest seen; returns it. */
static u64 kipc_shm_note_fill(struct kipc_shm *shm)
{
	u64 resident = kipc_shm_resident(shm);

	spin_lock(&shm->stats_lock);
	shm->high_water = max(shm->high_water, resident);
	spin_unlock(&shm->stats_lock);
	return resident;
}

/* VMAs of every process that map the region: the shmem file's i_mmap. */
static u64 kipc_shm_mappings(struct kipc_shm *shm)
{
	struct address_space *mapping = shm->filp->f_mapping;
	struct rb_node *node;
	u64 n = 0;

	i_mmap_lock_read(mapping);
	for (node = rb_first_cached(&mapping->i_mmap); node;
	     node = rb_next(node))
		n++;
	i_mmap_unlock_read(mapping);
	return n;
}

static int kipc_shm_size_ok(u64 size)
{
	if (!size || !PAGE_ALIGNED(size) || size > READ_ONCE(shm_max_bytes))
		return -EINVAL;
	return 0;
}

static loff_t kipc_shm_llseek(struct file *file, loff_t offset, int whence)
{
	return fixed_size_llseek(file, offset, whence,
				 kipc_shm_size(kipc_shm_file(file)));
}

/* read(): shmem's, on the shmem file; it stops at the size. */
static ssize_t kipc_shm_read_iter(struct kiocb *iocb, struct iov_iter *to)
{
	struct kipc_shm *shm = kipc_shm_file(iocb->ki_filp);
	struct kiocb kiocb;
	ssize_t ret;

	init_sync_kiocb(&kiocb, shm->filp);
	kiocb.ki_pos = iocb->ki_pos;
	ret = shm->filp->f_op->read_iter(&kiocb, to);
	if (ret <= 0)
		return ret;

	iocb->ki_pos = kiocb.ki_pos;
	spin_lock(&shm->stats_lock);
	shm->reads++;
	shm->read += ret;
	spin_unlock(&shm->stats_lock);
	return ret;
}

/*
 * write(): shmem's too, but only inside the region: cut at the end,
 * ENOSPC at or past it (as for a block device), never growing it.
 */
static ssize_t kipc_shm_write_iter(struct kiocb *iocb, struct iov_iter *from)
{
	struct kipc_shm *shm = kipc_shm_file(iocb->ki_filp);
	struct kiocb kiocb;
	loff_t size;
	ssize_t ret;

	if (!iov_iter_count(from))
		return 0;

	down_read(&shm->lock);
	size = kipc_shm_size(shm);
	if (shm->seals & KIPC_SEALS_NO_WRITE) {
		ret = -EPERM;
		goto out;
	}
	/* Appending to something that cannot grow: there is no room. */
	if (iocb->ki_flags & IOCB_APPEND || iocb->ki_pos >= size) {
		ret = -ENOSPC;
		goto out;
	}
	iov_iter_truncate(from, size - iocb->ki_pos);

	init_sync_kiocb(&kiocb, shm->filp);
	kiocb.ki_pos = iocb->ki_pos;
	file_start_write(shm->filp);
	ret = shm->filp->f_op->write_iter(&kiocb, from);
	file_end_write(shm->filp);
	if (ret > 0) {
		iocb->ki_pos = kiocb.ki_pos;
		spin_lock(&shm->stats_lock);
		shm->writes++;
		shm->written += ret;
		spin_unlock(&shm->stats_lock);
	}
out:
	up_read(&shm->lock);
	if (ret > 0)
		kipc_shm_note_fill(shm);
	return ret;
}

/*
 * A mapping file is released when the last VMA made from it goes: give
 * back its i_mmap_writable count (held when it is open for writing) and
 * its reference to the region.
 */
static int kipc_shm_map_release(struct inode *inode, struct file *file)
{
	struct kipc_shm *shm = file->private_data;

	if (file->f_mode & FMODE_WRITE)
		mapping_unmap_writable(file->f_mapping);
	kipc_obj_put(&shm->obj);
	return 0;
}

static const struct file_operations kipc_shm_map_fops = {
	.owner		= THIS_MODULE,
	.release	= kipc_shm_map_release,
	.fsync		= noop_fsync,	/* msync(MS_SYNC) */
};

/*
 * The file a new mapping's VMA points at: the shmem inode, our fops, a
 * reference to the region. Opened for writing exactly when the mapping
 * may write the region, in which case the caller has taken the
 * i_mmap_writable count that its release gives back.
 */
static struct file *kipc_shm_map_file(struct kipc_shm *shm, bool writable)
{
	struct inode *inode = file_inode(shm->filp);
	struct file *mfile;

	/* alloc_file_pseudo() takes these over; fput() gives them back. */
	__module_get(THIS_MODULE);
	ihold(inode);
	mfile = alloc_file_pseudo(inode, shm->filp->f_path.mnt, "kipc-shm",
				  writable ? O_RDWR : O_RDONLY,
				  &kipc_shm_map_fops);
	if (IS_ERR(mfile)) {
		iput(inode);
		module_put(THIS_MODULE);
		return mfile;
	}
	kref_get(&shm->obj.ref);
	mfile->private_data = shm;
	return mfile;
}

static int kipc_shm_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct kipc_shm *shm = kipc_shm_file(file);
	struct address_space *mapping = shm->filp->f_mapping;
	unsigned long pages = kipc_shm_size(shm) >> PAGE_SHIFT;
	bool writable = false;
	struct file *mfile;

	if (vma->vm_pgoff > pages || vma_pages(vma) > pages - vma->vm_pgoff)
		return -ENXIO;

	/* The core already does this for a read-only file; make it plain. */
	if (!(file->f_mode & FMODE_WRITE) && (vma->vm_flags & VM_MAYSHARE)) {
		if (vma->vm_flags & VM_WRITE)
			return -EACCES;
		vm_flags_clear(vma, VM_MAYWRITE);
	}

	/*
	 * A shared mapping that may write holds an i_mmap_writable count,
	 * which fails once KIPC_SEAL_WRITE has denied them. Write-sealed,
	 * it may still map read-only for good.
	 */
	if (vma_is_shared_maywrite(vma)) {
		if ((READ_ONCE(shm->seals) & KIPC_SEALS_NO_WRITE) ||
		    mapping_map_writable(mapping)) {
			if (vma->vm_flags & VM_WRITE)
				return -EPERM;
			vm_flags_clear(vma, VM_MAYWRITE);
		} else {
			writable = true;
		}
	}

	mfile = kipc_shm_map_file(shm, writable);
	if (IS_ERR(mfile)) {
		if (writable)
			mapping_unmap_writable(mapping);
		return PTR_ERR(mfile);
	}
	/* The VMA now holds @mfile; if shmem refuses, the core fputs it. */
	vma_set_file(vma, mfile);
	fput(mfile);
	return shm->filp->f_op->mmap(vma->vm_file, vma);
}

/*
 * Whether @folio, found through the page cache (one reference of ours),
 * is pinned. For a small folio folio_maybe_dma_pinned() only sees a high
 * refcount, which 1024 mappings of a page would reach without any pin:
 * count what is left after the page cache's, ours and one per mapping.
 */
static bool kipc_shm_folio_pinned(struct folio *folio)
{
	if (folio_test_large(folio))
		return folio_maybe_dma_pinned(folio);
	/* A small folio's mapcount, as folio_mapcount() (not exported in 6.1). */
	return folio_ref_count(folio) - (atomic_read(&folio->_mapcount) + 1) -
	       2 >= (int)GUP_PIN_COUNTING_BIAS;
}

/*
 * Whether a page of the region is pinned for DMA (see the top). Called
 * with writable shared mappings denied, so no new writing pin can start.
 */
static bool kipc_shm_pinned(struct kipc_shm *shm)
{
	struct address_space *mapping = shm->filp->f_mapping;
	struct folio_batch fbatch;
	pgoff_t index = 0;
	bool pinned = false;
	unsigned int i;

	folio_batch_init(&fbatch);
	while (!pinned &&
	       filemap_get_folios(mapping, &index, (pgoff_t)-1, &fbatch)) {
		for (i = 0; i < folio_batch_count(&fbatch); i++)
			if (kipc_shm_folio_pinned(fbatch.folios[i]))
				pinned = true;
		folio_batch_release(&fbatch);
		cond_resched();
	}
	return pinned;
}

/* Grow or shrink to @size; @lock is held for writing. */
static int kipc_shm_set_size(struct kipc_shm *shm, loff_t size)
{
	loff_t old = kipc_shm_size(shm);
	int err;

	lockdep_assert_held_write(&shm->lock);

	if (size == old)
		return 0;
	if ((size < old && shm->seals & KIPC_SEAL_SHRINK) ||
	    (size > old && shm->seals & KIPC_SEAL_GROW))
		return -EPERM;

	kipc_shm_note_fill(shm);
	if (size > old) {
		/* Charge first: a refusal must change nothing. */
		err = kipc_obj_recharge(&shm->obj, old, size);
		if (err)
			return err;
		err = vfs_truncate(&shm->filp->f_path, size);
		if (err)
			kipc_obj_recharge(&shm->obj, size, old);
	} else {
		/* Uncharge after: shrinking the charge cannot fail. */
		err = vfs_truncate(&shm->filp->f_path, size);
		if (!err)
			kipc_obj_recharge(&shm->obj, old, size);
	}
	return err;
}

static int kipc_shm_ioc_resize(struct file *file,
			       struct kipc_shm_resize __user *ur)
{
	struct kipc_shm *shm = kipc_shm_file(file);
	struct kipc_shm_resize args;
	int err;

	if (copy_from_user(&args, ur, sizeof(args)))
		return -EFAULT;
	if (args.flags || args.pad)
		return -EINVAL;
	err = kipc_shm_size_ok(args.size);
	if (err)
		return err;
	if (!(file->f_mode & FMODE_WRITE))
		return -EBADF;

	down_write(&shm->lock);
	err = kipc_shm_set_size(shm, args.size);
	up_write(&shm->lock);
	return err;
}

static int kipc_shm_ioc_seal(struct file *file, struct kipc_shm_seal __user *us)
{
	struct kipc_shm *shm = kipc_shm_file(file);
	struct inode *inode = file_inode(shm->filp);
	struct kipc_shm_seal args;
	int err = 0;

	if (copy_from_user(&args, us, sizeof(args)))
		return -EFAULT;
	if (args.pad || args.seals & ~KIPC_SEAL_ALL)
		return -EINVAL;
	if (!(file->f_mode & FMODE_WRITE))
		return -EBADF;

	down_write(&shm->lock);
	if (shm->seals & KIPC_SEAL_SEAL) {
		err = -EPERM;
		goto out;
	}
	/* No shared mapping may write from now on, and none may exist. */
	if (args.seals & KIPC_SEAL_WRITE && !(shm->seals & KIPC_SEAL_WRITE)) {
		err = mapping_deny_writable(shm->filp->f_mapping);
		if (err)
			goto out;
		if (kipc_shm_pinned(shm)) {
			mapping_allow_writable(shm->filp->f_mapping);
			err = -EBUSY;
			goto out;
		}
	}
	inode_lock(inode);
	SHMEM_I(inode)->seals |= args.seals;
	inode_unlock(inode);
	WRITE_ONCE(shm->seals, shm->seals | args.seals);
out:
	up_write(&shm->lock);
	return err;
}

static void kipc_shm_get_info(struct kipc_shm *shm, struct kipc_shm_info *info)
{
	*info = (struct kipc_shm_info) {
		.size = kipc_shm_size(shm),
		.resident = kipc_shm_resident(shm),
		.mappings = kipc_shm_mappings(shm),
		.seals = READ_ONCE(shm->seals),
	};
}

static int kipc_shm_ioc_info(struct file *file, struct kipc_shm_info __user *ui)
{
	struct kipc_shm_info info;

	kipc_shm_get_info(kipc_shm_file(file), &info);
	if (copy_to_user(ui, &info, sizeof(info)))
		return -EFAULT;
	return 0;
}

static long kipc_shm_ioctl(struct file *file, unsigned int cmd,
			   unsigned long arg)
{
	void __user *argp = (void __user *)arg;

	switch (cmd) {
	case KIPC_IOC_SHM_RESIZE:
		return kipc_shm_ioc_resize(file, argp);
	case KIPC_IOC_SHM_SEAL:
		return kipc_shm_ioc_seal(file, argp);
	case KIPC_IOC_SHM_INFO:
		return kipc_shm_ioc_info(file, argp);
	default:
		return kipc_obj_ioctl(file, cmd, arg);
	}
}

static int kipc_shm_check(const struct kipc_open *args)
{
	if (args->flags)
		return -EINVAL;
	if (args->capacity || args->maxmsg || args->msgsize || args->value ||
	    args->max)
		return -EINVAL;
	/* The default is checked when it is used, by kipc_shm_create(). */
	if (args->size_bytes)
		return kipc_shm_size_ok(args->size_bytes);
	return 0;
}

static struct kipc_obj *kipc_shm_create(const struct kipc_open *args,
					size_t *charge)
{
	u64 size = args->size_bytes ?: READ_ONCE(shm_default_bytes);
	struct kipc_shm *shm;
	struct file *filp;
	int err;

	err = kipc_shm_size_ok(size);
	if (err)
		return ERR_PTR(err);

	shm = kzalloc(sizeof(*shm), GFP_KERNEL_ACCOUNT);
	if (!shm)
		return ERR_PTR(-ENOMEM);
	filp = shmem_file_setup("kipc-shm", size, VM_NORESERVE);
	if (IS_ERR(filp)) {
		kfree(shm);
		return ERR_CAST(filp);
	}
	/* As memfd does: offsets past 2 GiB are fine. */
	filp->f_flags |= O_LARGEFILE;

	shm->filp = filp;
	init_rwsem(&shm->lock);
	spin_lock_init(&shm->stats_lock);

	*charge = sizeof(*shm) + size;
	return &shm->obj;
}

/* No mapping is left: each holds a reference to the region. */
static void kipc_shm_destroy(struct kipc_obj *obj)
{
	struct kipc_shm *shm = kipc_shm(obj);

	fput(shm->filp);
	kfree(shm);
}

static void kipc_shm_stat(struct kipc_obj *obj, struct kipc_stat *st)
{
	struct kipc_shm *shm = kipc_shm(obj);

	st->capacity = kipc_shm_size(shm);
	st->fill = kipc_shm_note_fill(shm);
	spin_lock(&shm->stats_lock);
	st->high_water = shm->high_water;
	st->in_ops = shm->writes;
	st->in_bytes = shm->written;
	st->out_ops = shm->reads;
	st->out_bytes = shm->read;
	spin_unlock(&shm->stats_lock);
}

static const struct file_operations kipc_shm_fops = {
	.owner		= THIS_MODULE,
	.release	= kipc_obj_release,
	.llseek		= kipc_shm_llseek,
	.read_iter	= kipc_shm_read_iter,
	.write_iter	= kipc_shm_write_iter,
	.mmap		= kipc_shm_mmap,
	.fsync		= noop_fsync,
	.unlocked_ioctl	= kipc_shm_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
};

/*
 * What KIPC_IOC_SHM_INFO tells beyond stat, for netlink's get and dump,
 * so that kipc stat need not open the region (which counts as an open).
 */
static int kipc_shm_nl_put(struct kipc_obj *obj, struct sk_buff *skb)
{
	struct kipc_shm_info info;

	kipc_shm_get_info(kipc_shm(obj), &info);
	return kipc_nl_put_shm(skb, &info);
}

const struct kipc_type_ops kipc_shm_ops = {
	.name		= "shm",
	.inode_name	= "[kipc-shm]",
	.fops		= &kipc_shm_fops,
	.fmode		= FMODE_LSEEK | FMODE_PREAD | FMODE_PWRITE,
	.check		= kipc_shm_check,
	.create		= kipc_shm_create,
	.destroy	= kipc_shm_destroy,
	.stat		= kipc_shm_stat,
	.nl_size	= kipc_nl_shm_size,
	.nl_put		= kipc_shm_nl_put,
};
