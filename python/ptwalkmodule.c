/* The ptwalk Python module: libptwalk's public API (include/ptwalk.h, and
 * nothing below it) as Python objects.
 *
 *   d = ptwalk.open(path, set=(), vmlinux=None, system_map=None, btf=None)
 *   d.info(), d.vmcoreinfo(), d.translate(va), d.translate_batch(vas),
 *   d.read(addr, length, phys=False), d.maps(), d.tasks(), d.vmas(pid),
 *   d.symbol(text), d.close()          (pid= / root= pick a user tree)
 *
 * Failures raise ptwalk.Error, carrying the library's code and, where the
 * library names them, the offset, address and file. Every call holds the
 * GIL throughout: a dump is one unit that one thread uses at a time
 * (ptwalk.h, "Thread safety"), and the GIL is that one thread. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "ptwalk.h"

PyMODINIT_FUNC PyInit_ptwalk(void);

/* ptwalk.Error */
static PyObject *ptwalk_error_type;

/* A longest read in one call: Python holds the bytes in memory, so a
 * length the caller got from the dump must not make us allocate wildly. */
#define MAX_READ (256u << 20)

/* Raise ptwalk.Error for err and free it; always returns NULL. */
static PyObject *raise_error(struct ptwalk_error *err)
{
	enum ptwalk_error_code code = ptwalk_error_code(err);
	const char *file = ptwalk_error_file(err);
	uint64_t offset, address;
	bool have_offset = ptwalk_error_offset(err, &offset);
	bool have_address = ptwalk_error_address(err, &address);
	PyObject *exc = PyObject_CallFunction(ptwalk_error_type, "s", ptwalk_error_message(err));

	if (exc) {
		PyObject *v;
		int failed = 0;

		v = PyLong_FromLong((long)code);
		failed |= !v || PyObject_SetAttrString(exc, "code", v) < 0;
		Py_XDECREF(v);
		v = PyUnicode_FromString(ptwalk_strerror(code));
		failed |= !v || PyObject_SetAttrString(exc, "kind", v) < 0;
		Py_XDECREF(v);
		v = have_offset ? PyLong_FromUnsignedLongLong(offset) : Py_NewRef(Py_None);
		failed |= !v || PyObject_SetAttrString(exc, "offset", v) < 0;
		Py_XDECREF(v);
		v = have_address ? PyLong_FromUnsignedLongLong(address) : Py_NewRef(Py_None);
		failed |= !v || PyObject_SetAttrString(exc, "address", v) < 0;
		Py_XDECREF(v);
		v = file ? PyUnicode_DecodeFSDefault(file) : Py_NewRef(Py_None);
		failed |= !v || PyObject_SetAttrString(exc, "file", v) < 0;
		Py_XDECREF(v);
		if (!failed)
			PyErr_SetObject(ptwalk_error_type, exc);
		Py_DECREF(exc);
	}
	ptwalk_error_free(err);
	return NULL;
}

/* ------------------------------------------------------------------ */
/* dict building: each helper steals nothing and reports failure */

static int set_item(PyObject *dict, const char *key, PyObject *value)
{
	if (!value)
		return -1;
	int rc = PyDict_SetItemString(dict, key, value);
	Py_DECREF(value);
	return rc;
}

static PyObject *u64(uint64_t v)
{
	return PyLong_FromUnsignedLongLong(v);
}

static PyObject *str_or_none(const char *s)
{
	return s ? PyUnicode_FromString(s) : Py_NewRef(Py_None);
}

static PyObject *u64_or_none(bool have, uint64_t v)
{
	return have ? u64(v) : Py_NewRef(Py_None);
}

/* ------------------------------------------------------------------ */
/* ptwalk.Dump */

typedef struct {
	PyObject_HEAD
	struct ptwalk_dump *dump;
	struct ptwalk_space *kernel;   /* made on first use, kept: its caches help */
} DumpObject;

static PyTypeObject DumpType;

static int dump_usable(DumpObject *self)
{
	if (self->dump)
		return 1;
	PyErr_SetString(PyExc_ValueError, "the dump is closed");
	return 0;
}

static void dump_release(DumpObject *self)
{
	ptwalk_space_close(self->kernel);
	self->kernel = NULL;
	ptwalk_dump_close(self->dump);
	self->dump = NULL;
}

static void dump_dealloc(DumpObject *self)
{
	dump_release(self);
	Py_TYPE(self)->tp_free((PyObject *)self);
}

/* The space for pid= or root= (a new one the caller closes), else the
 * dump's kernel space (borrowed). *owned_ret says which. NULL with an
 * exception set on failure. */
static struct ptwalk_space *space_for(DumpObject *self, PyObject *pid, PyObject *root, bool *owned_ret)
{
	struct ptwalk_space *space = NULL;
	struct ptwalk_error *err;

	*owned_ret = false;
	if (pid != Py_None && root != Py_None) {
		PyErr_SetString(PyExc_ValueError, "pid and root exclude each other");
		return NULL;
	}
	if (pid != Py_None || root != Py_None) {
		uint64_t v = PyLong_AsUnsignedLongLong(pid != Py_None ? pid : root);
		if (PyErr_Occurred())
			return NULL;
		err = pid != Py_None ? ptwalk_space_user_pid(self->dump, v, &space)
				     : ptwalk_space_user_root(self->dump, v, &space);
		if (err) {
			raise_error(err);
			return NULL;
		}
		*owned_ret = true;
		return space;
	}
	if (!self->kernel) {
		err = ptwalk_space_kernel(self->dump, &self->kernel);
		if (err) {
			raise_error(err);
			return NULL;
		}
	}
	return self->kernel;
}

static void space_done(struct ptwalk_space *space, bool owned)
{
	if (owned)
		ptwalk_space_close(space);
}

static PyObject *dump_close(DumpObject *self, PyObject *unused)
{
	dump_release(self);
	Py_RETURN_NONE;
}

static PyObject *dump_enter(DumpObject *self, PyObject *unused)
{
	if (!dump_usable(self))
		return NULL;
	return Py_NewRef((PyObject *)self);
}

static PyObject *dump_exit(DumpObject *self, PyObject *args)
{
	dump_release(self);
	Py_RETURN_FALSE;
}

static PyObject *xlat_dict(const struct ptwalk_xlat_info *x)
{
	PyObject *d = PyDict_New();

	if (!d)
		return NULL;
	if (set_item(d, "granule", PyLong_FromUnsignedLong(x->granule)) < 0 ||
	    set_item(d, "va_bits", PyLong_FromUnsignedLong(x->va_bits)) < 0 ||
	    set_item(d, "vabits_actual", PyLong_FromUnsignedLong(x->vabits_actual)) < 0 ||
	    set_item(d, "pa_bits", PyLong_FromUnsignedLong(x->pa_bits)) < 0 ||
	    set_item(d, "levels", PyLong_FromUnsignedLong(x->levels)) < 0 ||
	    set_item(d, "descriptor_format", str_or_none(x->descriptor_format)) < 0 ||
	    set_item(d, "layout", str_or_none(x->layout)) < 0 ||
	    set_item(d, "root", u64(x->root_pa)) < 0 ||
	    set_item(d, "root_source", str_or_none(x->root_source)) < 0 ||
	    set_item(d, "page_offset", u64_or_none(x->have_page_offset, x->page_offset)) < 0 ||
	    set_item(d, "phys_offset",
		     x->have_phys_offset ? PyLong_FromLongLong(x->phys_offset) : Py_NewRef(Py_None)) < 0 ||
	    set_item(d, "kimage_voffset", u64_or_none(x->have_kimage_voffset, x->kimage_voffset)) < 0 ||
	    set_item(d, "kaslr_offset", u64_or_none(x->have_kaslr_offset, x->kaslr_offset)) < 0) {
		Py_DECREF(d);
		return NULL;
	}
	return d;
}

static PyObject *compression_list(unsigned bits)
{
	static const struct {
		unsigned bit;
		const char *name;
	} names[] = {
		{ PTWALK_COMP_ZLIB, "zlib" },     { PTWALK_COMP_LZO, "lzo" },
		{ PTWALK_COMP_SNAPPY, "snappy" }, { PTWALK_COMP_ZSTD, "zstd" },
		{ PTWALK_COMP_NONE, "none" },
	};
	PyObject *list = PyList_New(0);

	for (size_t i = 0; list && i < sizeof(names) / sizeof(names[0]); i++) {
		if (!(bits & names[i].bit))
			continue;
		PyObject *s = PyUnicode_FromString(names[i].name);
		if (!s || PyList_Append(list, s) < 0)
			Py_CLEAR(list);
		Py_XDECREF(s);
	}
	return list;
}

static PyObject *dump_info(DumpObject *self, PyObject *unused)
{
	struct ptwalk_info info;
	const struct ptwalk_error *xerr;
	PyObject *d;

	if (!dump_usable(self))
		return NULL;
	ptwalk_dump_info(self->dump, &info);
	xerr = ptwalk_dump_translation_error(self->dump);
	d = PyDict_New();
	if (!d)
		return NULL;
	if (set_item(d, "path", PyUnicode_DecodeFSDefault(info.path ? info.path : "")) < 0 ||
	    set_item(d, "format", str_or_none(info.format)) < 0 ||
	    set_item(d, "compression", compression_list(info.compression)) < 0 ||
	    set_item(d, "arch", str_or_none(info.arch)) < 0 ||
	    set_item(d, "osrelease", str_or_none(info.osrelease)) < 0 ||
	    set_item(d, "page_size", u64_or_none(info.page_size != 0, info.page_size)) < 0 ||
	    set_item(d, "block_size", u64_or_none(info.block_size != 0, info.block_size)) < 0 ||
	    set_item(d, "dump_level",
		     info.dump_level >= 0 ? PyLong_FromLong(info.dump_level) : Py_NewRef(Py_None)) < 0 ||
	    set_item(d, "incomplete", PyBool_FromLong(info.incomplete)) < 0 ||
	    set_item(d, "cpus", PyLong_FromSize_t(info.ncpus)) < 0 ||
	    set_item(d, "translation", info.have_xlat ? xlat_dict(&info.xlat) : Py_NewRef(Py_None)) < 0 ||
	    set_item(d, "translation_error", str_or_none(xerr ? ptwalk_error_message(xerr) : NULL)) < 0) {
		Py_DECREF(d);
		return NULL;
	}
	return d;
}

static PyObject *dump_vmcoreinfo(DumpObject *self, PyObject *unused)
{
	const char *key, *value;
	size_t pos = 0;
	PyObject *d;

	if (!dump_usable(self))
		return NULL;
	d = PyDict_New();
	while (d && ptwalk_vmcoreinfo_next(self->dump, &pos, &key, &value))
		if (set_item(d, key, PyUnicode_DecodeUTF8(value, (Py_ssize_t)strlen(value), "replace")) < 0)
			Py_CLEAR(d);
	return d;
}

static PyObject *translation_dict(const struct ptwalk_translation *t)
{
	PyObject *d = PyDict_New(), *steps = NULL;

	if (!d)
		return NULL;
	steps = PyList_New(0);
	for (unsigned i = 0; steps && i < t->nsteps && i < PTWALK_MAX_LEVELS; i++) {
		const struct ptwalk_step *s = &t->steps[i];
		PyObject *sd = PyDict_New();
		if (!sd || set_item(sd, "level", PyLong_FromLong(s->level)) < 0 ||
		    set_item(sd, "table", str_or_none(s->table)) < 0 ||
		    set_item(sd, "index", PyLong_FromUnsignedLong(s->index)) < 0 ||
		    set_item(sd, "entry_pa", u64(s->entry_pa)) < 0 || set_item(sd, "raw", u64(s->raw)) < 0 ||
		    PyList_Append(steps, sd) < 0)
			Py_CLEAR(steps);
		Py_XDECREF(sd);
	}
	if (set_item(d, "input", u64(t->input)) < 0 || set_item(d, "va", u64(t->va)) < 0 ||
	    set_item(d, "tagged", PyBool_FromLong(t->tagged)) < 0 ||
	    set_item(d, "user", PyBool_FromLong(t->user)) < 0 ||
	    set_item(d, "status", PyUnicode_FromString(ptwalk_status_name(t->status))) < 0 ||
	    set_item(d, "pa", u64_or_none(t->have_pa, t->pa)) < 0 ||
	    set_item(d, "page_size", u64(t->page_size)) < 0 || set_item(d, "level", PyLong_FromLong(t->level)) < 0 ||
	    set_item(d, "raw", u64(t->raw)) < 0 || set_item(d, "block", PyBool_FromLong(t->block)) < 0 ||
	    set_item(d, "missing_pa", u64_or_none(t->status == PTWALK_NOT_IN_DUMP, t->missing_pa)) < 0 ||
	    set_item(d, "reason", str_or_none(t->status == PTWALK_BAD_TABLE ? t->reason : NULL)) < 0 ||
	    set_item(d, "table_base", u64(t->table_base)) < 0 || set_item(d, "steps", steps) < 0) {
		Py_DECREF(d);
		return NULL;
	}
	return d;
}

static PyObject *dump_translate(DumpObject *self, PyObject *args, PyObject *kwargs)
{
	static char *kwlist[] = { "va", "pid", "root", NULL };
	unsigned long long va;
	PyObject *pid = Py_None, *root = Py_None;
	struct ptwalk_translation t;
	struct ptwalk_space *space;
	struct ptwalk_error *err;
	bool owned;

	if (!PyArg_ParseTupleAndKeywords(args, kwargs, "K|$OO", kwlist, &va, &pid, &root) ||
	    !dump_usable(self))
		return NULL;
	space = space_for(self, pid, root, &owned);
	if (!space)
		return NULL;
	err = ptwalk_translate(space, va, &t);
	PyObject *result = err ? raise_error(err) : translation_dict(&t);
	space_done(space, owned);
	return result;
}

/* A Python int that must fit 64 bits, as a uint64_t. */
static int as_u64(PyObject *o, uint64_t *ret)
{
	unsigned long long v = PyLong_AsUnsignedLongLong(o);

	if (v == (unsigned long long)-1 && PyErr_Occurred())
		return -1;
	*ret = v;
	return 0;
}

static PyObject *dump_translate_batch(DumpObject *self, PyObject *args, PyObject *kwargs)
{
	static char *kwlist[] = { "vas", "pid", "root", NULL };
	PyObject *vas, *seq, *pid = Py_None, *root = Py_None, *result = NULL;
	uint64_t *va = NULL, *pa = NULL;
	struct ptwalk_space *space;
	struct ptwalk_error *err;
	Py_ssize_t n;
	bool owned;

	if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|$OO", kwlist, &vas, &pid, &root) ||
	    !dump_usable(self))
		return NULL;
	seq = PySequence_Fast(vas, "vas must be a sequence of addresses");
	if (!seq)
		return NULL;
	n = PySequence_Fast_GET_SIZE(seq);
	va = PyMem_New(uint64_t, n ? n : 1);
	pa = PyMem_New(uint64_t, n ? n : 1);
	if (!va || !pa) {
		PyErr_NoMemory();
		goto out;
	}
	for (Py_ssize_t i = 0; i < n; i++)
		if (as_u64(PySequence_Fast_GET_ITEM(seq, i), &va[i]) < 0)
			goto out;
	space = space_for(self, pid, root, &owned);
	if (!space)
		goto out;
	err = ptwalk_translate_batch(space, va, (size_t)n, pa, NULL, NULL);
	space_done(space, owned);
	if (err) {
		raise_error(err);
		goto out;
	}
	result = PyList_New(n);
	for (Py_ssize_t i = 0; result && i < n; i++) {
		PyObject *v = pa[i] == PTWALK_PA_NONE ? Py_NewRef(Py_None) : u64(pa[i]);
		if (!v)
			Py_CLEAR(result);
		else
			PyList_SET_ITEM(result, i, v);
	}
out:
	PyMem_Free(va);
	PyMem_Free(pa);
	Py_DECREF(seq);
	return result;
}

static PyObject *dump_read(DumpObject *self, PyObject *args, PyObject *kwargs)
{
	static char *kwlist[] = { "address", "length", "phys", "pid", "root", NULL };
	unsigned long long addr;
	Py_ssize_t len;
	int phys = 0;
	PyObject *pid = Py_None, *root = Py_None, *bytes;
	struct ptwalk_error *err;

	if (!PyArg_ParseTupleAndKeywords(args, kwargs, "Kn|$pOO", kwlist, &addr, &len, &phys, &pid, &root) ||
	    !dump_usable(self))
		return NULL;
	if (len < 0 || (size_t)len > MAX_READ) {
		PyErr_Format(PyExc_ValueError, "length %zd: from 0 to %u bytes at a time", len, MAX_READ);
		return NULL;
	}
	if (phys && (pid != Py_None || root != Py_None)) {
		PyErr_SetString(PyExc_ValueError, "phys=True reads physical memory: no pid or root");
		return NULL;
	}
	bytes = PyBytes_FromStringAndSize(NULL, len);
	if (!bytes)
		return NULL;
	if (phys) {
		err = ptwalk_read_phys(self->dump, addr, PyBytes_AS_STRING(bytes), (size_t)len, NULL);
	} else {
		bool owned;
		struct ptwalk_space *space = space_for(self, pid, root, &owned);
		if (!space) {
			Py_DECREF(bytes);
			return NULL;
		}
		err = ptwalk_read(space, addr, PyBytes_AS_STRING(bytes), (size_t)len, NULL);
		space_done(space, owned);
	}
	if (err) {
		Py_DECREF(bytes);
		return raise_error(err);
	}
	return bytes;
}

/* The listings (maps, tasks, vmas) build a list from the library's
 * callbacks. One record: d appended to *list when built (built: every field
 * set), else *list dropped, so that the exception set stands; d is released
 * either way. Whether the listing goes on. */
static bool append_or_drop(PyObject **list, PyObject *d, bool built)
{
	if (!built || !d || PyList_Append(*list, d) < 0) {
		Py_XDECREF(d);
		Py_CLEAR(*list);
		return false;
	}
	Py_DECREF(d);
	return true;
}

/* A listing's end: the list; or NULL with the exception a callback set, or
 * with err raised. */
static PyObject *listing_result(PyObject *list, struct ptwalk_error *err)
{
	if (!err)
		return list; /* NULL with the exception set if an append failed */
	Py_XDECREF(list);
	if (PyErr_Occurred()) {
		ptwalk_error_free(err);
		return NULL;
	}
	return raise_error(err);
}

/* maps(): coalesced ranges into a list; the walk is bounded by the dump. */
struct maps_acc {
	PyObject *list;   /* NULL once something failed (exception set) */
};

static void maps_range(void *arg, const struct ptwalk_map_range *r)
{
	struct maps_acc *acc = arg;
	PyObject *d;

	if (!acc->list)
		return;
	d = PyDict_New();
	if (!d || set_item(d, "start", u64(r->start)) < 0 || set_item(d, "end", u64(r->end)) < 0 ||
	    set_item(d, "pa", u64(r->pa)) < 0 || set_item(d, "page_size", u64(r->page_size)) < 0 ||
	    set_item(d, "level", PyLong_FromLong(r->level)) < 0 || set_item(d, "table", str_or_none(r->table)) < 0 ||
	    set_item(d, "raw", u64(r->raw)) < 0 || set_item(d, "cont", PyBool_FromLong(r->cont)) < 0)
		append_or_drop(&acc->list, d, false);
	else
		append_or_drop(&acc->list, d, true);
}

static PyObject *dump_maps(DumpObject *self, PyObject *args, PyObject *kwargs)
{
	static char *kwlist[] = { "user", "pid", "root", "start", "end", NULL };
	int user = 0;
	PyObject *pid = Py_None, *root = Py_None;
	unsigned long long start = 0, end = 0;
	struct ptwalk_maps_visitor visitor = { .range = maps_range };
	struct maps_acc acc;
	struct ptwalk_space *space;
	struct ptwalk_error *err;
	bool owned;

	if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|$pOOKK", kwlist, &user, &pid, &root, &start, &end) ||
	    !dump_usable(self))
		return NULL;
	if (user && pid == Py_None && root == Py_None) {
		PyErr_SetString(PyExc_ValueError, "user=True needs pid= or root=");
		return NULL;
	}
	space = space_for(self, pid, root, &owned);
	if (!space)
		return NULL;
	acc.list = PyList_New(0);
	if (!acc.list) {
		space_done(space, owned);
		return NULL;
	}
	err = ptwalk_maps(space, user ? PTWALK_TREE_USER : PTWALK_TREE_KERNEL, start, end, false, &visitor, &acc,
			  NULL);
	space_done(space, owned);
	return listing_result(acc.list, err);
}

static bool task_add(void *arg, const struct ptwalk_task *t)
{
	PyObject **list = arg;
	PyObject *d = PyDict_New();

	if (!d || set_item(d, "addr", u64(t->addr)) < 0 || set_item(d, "pid", PyLong_FromLong(t->pid)) < 0 ||
	    set_item(d, "tgid", PyLong_FromLong(t->tgid)) < 0 ||
	    set_item(d, "ppid", t->have_ppid ? PyLong_FromLong(t->ppid) : Py_NewRef(Py_None)) < 0 ||
	    set_item(d, "comm", PyUnicode_DecodeUTF8(t->comm, (Py_ssize_t)strnlen(t->comm, sizeof(t->comm)),
						     "replace")) < 0 ||
	    set_item(d, "state", t->have_state ? PyUnicode_FromStringAndSize(&t->state, 1) : Py_NewRef(Py_None)) < 0 ||
	    set_item(d, "cpu", t->have_cpu ? PyLong_FromUnsignedLong(t->cpu) : Py_NewRef(Py_None)) < 0 ||
	    set_item(d, "running", t->have_running ? PyBool_FromLong(t->running) : Py_NewRef(Py_None)) < 0 ||
	    set_item(d, "kthread", PyBool_FromLong(t->kthread)) < 0 || set_item(d, "mm", u64(t->mm)) < 0 ||
	    set_item(d, "pgd", u64_or_none(t->have_pgd, t->pgd_pa)) < 0)
		return append_or_drop(list, d, false);
	return append_or_drop(list, d, true);
}

static PyObject *dump_tasks(DumpObject *self, PyObject *unused)
{
	PyObject *list;
	struct ptwalk_error *err;

	if (!dump_usable(self))
		return NULL;
	list = PyList_New(0);
	if (!list)
		return NULL;
	err = ptwalk_tasks(self->dump, task_add, &list);
	return listing_result(list, err);
}

static bool vma_add(void *arg, const struct ptwalk_vma *v)
{
	PyObject **list = arg;
	PyObject *d = PyDict_New();

	if (!d || set_item(d, "start", u64(v->start)) < 0 || set_item(d, "end", u64(v->end)) < 0 ||
	    set_item(d, "flags", u64(v->flags)) < 0 ||
	    set_item(d, "perms", PyUnicode_FromStringAndSize(v->perms, (Py_ssize_t)strnlen(v->perms, 4))) < 0 ||
	    set_item(d, "pgoff", u64_or_none(v->have_pgoff, v->pgoff)) < 0 ||
	    set_item(d, "name", v->name ? PyUnicode_DecodeFSDefault(v->name) : Py_NewRef(Py_None)) < 0 ||
	    set_item(d, "addr", u64(v->addr)) < 0)
		return append_or_drop(list, d, false);
	return append_or_drop(list, d, true);
}

static PyObject *dump_vmas(DumpObject *self, PyObject *args)
{
	unsigned long long pid;
	PyObject *list;
	struct ptwalk_error *err;

	if (!PyArg_ParseTuple(args, "K", &pid) || !dump_usable(self))
		return NULL;
	list = PyList_New(0);
	if (!list)
		return NULL;
	err = ptwalk_vmas(self->dump, pid, vma_add, &list);
	return listing_result(list, err);
}

static PyObject *dump_symbol(DumpObject *self, PyObject *args)
{
	const char *text;
	uint64_t address;
	struct ptwalk_error *err;

	if (!PyArg_ParseTuple(args, "s", &text) || !dump_usable(self))
		return NULL;
	err = ptwalk_symbol_resolve(self->dump, text, &address);
	if (err)
		return raise_error(err);
	return u64(address);
}

static PyMethodDef dump_methods[] = {
	{ "close", (PyCFunction)dump_close, METH_NOARGS, "close(): release the dump (reopen to use it again)" },
	{ "__enter__", (PyCFunction)dump_enter, METH_NOARGS, NULL },
	{ "__exit__", (PyCFunction)dump_exit, METH_VARARGS, NULL },
	{ "info", (PyCFunction)dump_info, METH_NOARGS,
	  "info() -> dict: format, compression, arch, osrelease, page_size, block_size, dump_level,\n"
	  "incomplete, cpus, translation (dict or None), translation_error (why not, or None)" },
	{ "vmcoreinfo", (PyCFunction)dump_vmcoreinfo, METH_NOARGS,
	  "vmcoreinfo() -> dict of the dump's VMCOREINFO (after set= overrides)" },
	{ "translate", (PyCFunction)(void (*)(void))dump_translate, METH_VARARGS | METH_KEYWORDS,
	  "translate(va, *, pid=None, root=None) -> dict: status ('ok', 'not-mapped', 'not-in-dump',\n"
	  "'bad-table', 'non-canonical', 'no-user-table'), pa (None without one), page_size, level, steps..." },
	{ "translate_batch", (PyCFunction)(void (*)(void))dump_translate_batch, METH_VARARGS | METH_KEYWORDS,
	  "translate_batch(vas, *, pid=None, root=None) -> list: the pa of each va, or None" },
	{ "read", (PyCFunction)(void (*)(void))dump_read, METH_VARARGS | METH_KEYWORDS,
	  "read(address, length, *, phys=False, pid=None, root=None) -> bytes\n"
	  "Raises ptwalk.Error at the first byte that cannot be read (its .address); never fills in." },
	{ "maps", (PyCFunction)(void (*)(void))dump_maps, METH_VARARGS | METH_KEYWORDS,
	  "maps(*, user=False, pid=None, root=None, start=0, end=0) -> list of dicts: start, end (0: the top),\n"
	  "pa, page_size, level, table, raw, cont: the mappings of the kernel (or user) tree, coalesced" },
	{ "tasks", (PyCFunction)dump_tasks, METH_NOARGS,
	  "tasks() -> list of dicts: pid, tgid, ppid, comm, state, cpu, running, kthread, mm, pgd, addr" },
	{ "vmas", (PyCFunction)dump_vmas, METH_VARARGS,
	  "vmas(pid) -> list of dicts: start, end, perms, pgoff, name, flags, addr" },
	{ "symbol", (PyCFunction)dump_symbol, METH_VARARGS,
	  "symbol(text) -> int: the address of 'NAME', 'NAME+OFF', 'NAME-OFF' or a number" },
	{ NULL, NULL, 0, NULL },
};

static PyTypeObject DumpType = {
	PyVarObject_HEAD_INIT(NULL, 0)
	.tp_name = "ptwalk.Dump",
	.tp_basicsize = sizeof(DumpObject),
	.tp_dealloc = (destructor)dump_dealloc,
	.tp_flags = Py_TPFLAGS_DEFAULT,
	.tp_doc = "An opened dump (ptwalk.open). Use it from one thread at a time.",
	.tp_methods = dump_methods,
};

/* ------------------------------------------------------------------ */
/* module functions */

/* Keeps the encoded strings of open()'s arguments alive during the call. */
struct open_strings {
	PyObject *owners[64];
	size_t n;
};

/* An optional path argument: NULL for None, else its file-system bytes. */
static int opt_path(PyObject *o, const char **ret, struct open_strings *keep)
{
	PyObject *b;

	*ret = NULL;
	if (o == Py_None)
		return 0;
	if (keep->n == sizeof(keep->owners) / sizeof(keep->owners[0])) {
		PyErr_SetString(PyExc_ValueError, "too many arguments");
		return -1;
	}
	if (!PyUnicode_FSConverter(o, &b))
		return -1;
	keep->owners[keep->n++] = b;
	*ret = PyBytes_AS_STRING(b);
	return 0;
}

static PyObject *module_open(PyObject *module, PyObject *args, PyObject *kwargs)
{
	static char *kwlist[] = { "path", "set", "vmlinux", "system_map", "btf", NULL };
	PyObject *path, *sets = NULL, *vmlinux = Py_None, *system_map = Py_None, *btf = Py_None;
	PyObject *sets_seq = NULL, *result = NULL;
	struct open_strings keep = { .n = 0 };
	const char *set_texts[60];
	struct ptwalk_open_options opts;
	const char *path_text;
	DumpObject *self;
	struct ptwalk_error *err;

	if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|$OOOO", kwlist, &path, &sets, &vmlinux, &system_map,
					 &btf))
		return NULL;
	memset(&opts, 0, sizeof(opts));
	opts.struct_size = sizeof(opts);
	if (opt_path(path, &path_text, &keep) < 0 || opt_path(vmlinux, &opts.vmlinux, &keep) < 0 ||
	    opt_path(system_map, &opts.system_map, &keep) < 0 || opt_path(btf, &opts.btf, &keep) < 0)
		goto out;
	if (!path_text) {
		PyErr_SetString(PyExc_TypeError, "path must be a path, not None");
		goto out;
	}
	if (sets && sets != Py_None) {
		if (PyUnicode_Check(sets)) {
			PyErr_SetString(PyExc_TypeError, "set must be a sequence of 'KEY=VALUE' strings");
			goto out;
		}
		sets_seq = PySequence_Fast(sets, "set must be a sequence of 'KEY=VALUE' strings");
		if (!sets_seq)
			goto out;
		Py_ssize_t n = PySequence_Fast_GET_SIZE(sets_seq);
		if ((size_t)n > sizeof(set_texts) / sizeof(set_texts[0])) {
			PyErr_Format(PyExc_ValueError, "at most %zu set= entries", sizeof(set_texts) / sizeof(set_texts[0]));
			goto out;
		}
		for (Py_ssize_t i = 0; i < n; i++) {
			PyObject *item = PySequence_Fast_GET_ITEM(sets_seq, i);
			if (!PyUnicode_Check(item)) {
				PyErr_SetString(PyExc_TypeError, "set must be a sequence of 'KEY=VALUE' strings");
				goto out;
			}
			set_texts[i] = PyUnicode_AsUTF8(item);
			if (!set_texts[i])
				goto out;
		}
		opts.vmcoreinfo_sets = set_texts;
		opts.n_vmcoreinfo_sets = (size_t)n;
	}
	self = PyObject_New(DumpObject, &DumpType);
	if (!self)
		goto out;
	self->dump = NULL;
	self->kernel = NULL;
	err = ptwalk_dump_open(path_text, &opts, &self->dump);
	if (err) {
		Py_DECREF(self);
		raise_error(err);
		goto out;
	}
	result = (PyObject *)self;
out:
	Py_XDECREF(sets_seq);
	for (size_t i = 0; i < keep.n; i++)
		Py_DECREF(keep.owners[i]);
	return result;
}

static PyMethodDef module_methods[] = {
	{ "open", (PyCFunction)(void (*)(void))module_open, METH_VARARGS | METH_KEYWORDS,
	  "open(path, *, set=(), vmlinux=None, system_map=None, btf=None) -> Dump\n"
	  "Open an ELF, kdump-compressed or flattened vmcore. set: 'KEY=VALUE' VMCOREINFO overrides." },
	{ NULL, NULL, 0, NULL },
};

static struct PyModuleDef ptwalk_module = {
	PyModuleDef_HEAD_INIT,
	.m_name = "ptwalk",
	.m_doc = "Offline page-table walks of Linux crash dumps (libptwalk).",
	.m_size = -1,
	.m_methods = module_methods,
};

PyMODINIT_FUNC PyInit_ptwalk(void)
{
	PyObject *m;

	if (PyType_Ready(&DumpType) < 0)
		return NULL;
	m = PyModule_Create(&ptwalk_module);
	if (!m)
		return NULL;
	ptwalk_error_type = PyErr_NewExceptionWithDoc(
		"ptwalk.Error",
		"A libptwalk failure: str() the message; code (int) and kind (text) what kind;\n"
		"offset, address, file: where, when the library names them (else None).",
		NULL, NULL);
	if (!ptwalk_error_type || PyModule_AddObjectRef(m, "Error", ptwalk_error_type) < 0 ||
	    PyModule_AddObjectRef(m, "Dump", (PyObject *)&DumpType) < 0 ||
	    PyModule_AddStringConstant(m, "__version__", PTWALK_PY_VERSION) < 0) {
		Py_DECREF(m);
		return NULL;
	}
	return m;
}
