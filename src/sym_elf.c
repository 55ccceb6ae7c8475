/* Symbols from a vmlinux: its ELF symbol table (SHT_SYMTAB) through libelf,
 * after its GNU build ID was compared with VMCOREINFO's BUILD-ID. */
#include "sym.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "file.h"

static struct ptw_error *libelf_error(const char *path, const char *what)
{
	return ptw_error_create(PTW_E_BAD_DATA, "%s: %s: %s", path, what, elf_errmsg(-1));
}

/* The NT_GNU_BUILD_ID note's bytes in lower-case hex, or "" when there is none. */
static void read_build_id(Elf *elf, char *hex, size_t hex_size)
{
	Elf_Scn *scn = NULL;

	hex[0] = '\0';
	while ((scn = elf_nextscn(elf, scn)) != NULL) {
		GElf_Shdr sh;
		Elf_Data *data;
		GElf_Nhdr nh;
		size_t off = 0, name_off, desc_off;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_NOTE)
			continue;
		data = elf_getdata(scn, NULL);
		/* gelf_getnote advances past each note and returns 0 at the end. */
		while (data && (off = gelf_getnote(data, off, &nh, &name_off, &desc_off)) > 0) {
			if (nh.n_type != NT_GNU_BUILD_ID || nh.n_namesz != 4 ||
			    memcmp((const char *)data->d_buf + name_off, "GNU", 4) != 0)
				continue;
			if (nh.n_descsz * 2 + 1 > hex_size)
				continue;
			for (size_t i = 0; i < nh.n_descsz; i++)
				snprintf(hex + 2 * i, 3, "%02x", ((const unsigned char *)data->d_buf)[desc_off + i]);
			return;
		}
	}
}

/* nm's letter for a symbol: from its binding and its section's flags. */
static char type_letter(Elf *elf, const GElf_Sym *sym)
{
	char c = '?';
	GElf_Shdr sh;
	Elf_Scn *scn;

	if (sym->st_shndx == SHN_ABS)
		c = 'a';
	else if (sym->st_shndx == SHN_UNDEF)
		c = 'u';
	else if ((scn = elf_getscn(elf, sym->st_shndx)) && gelf_getshdr(scn, &sh)) {
		if (sh.sh_flags & SHF_EXECINSTR)
			c = 't';
		else if (sh.sh_type == SHT_NOBITS)
			c = 'b';
		else if (!(sh.sh_flags & SHF_WRITE))
			c = 'r';
		else
			c = 'd';
	}
	if (GELF_ST_BIND(sym->st_info) == STB_WEAK)
		return GELF_ST_TYPE(sym->st_info) == STT_OBJECT ? 'V' : 'W';
	if (GELF_ST_BIND(sym->st_info) == STB_GLOBAL && c >= 'a' && c <= 'z')
		c = (char)(c - 'a' + 'A');
	return c;
}

static bool relocatable(uint64_t address)
{
	return (address >> 63) != 0;
}

struct ptw_error *ptw_vmlinux_symbols_load(const char *path, const char *expected_build_id,
					   uint64_t kaslr_offset, struct ptw_symtab *st)
{
	struct ptw_error *err = NULL;
	Elf_Scn *scn = NULL;
	Elf *elf;
	char build_id[129];
	size_t added = 0;
	int fd;

	elf_version(EV_CURRENT);
	{
		uint64_t size;

		/* A FIFO or a device given as -k is refused, not waited on. */
		err = ptw_file_open_regular(path, &fd, &size);
		if (err)
			return ptw_error_in_file(err, path);
	}
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF) {
		err = ptw_error_create(PTW_E_BAD_DATA, "%s: not an ELF file", path);
		goto out;
	}
	read_build_id(elf, build_id, sizeof(build_id));
	if (expected_build_id && strcasecmp(build_id, expected_build_id) != 0) {
		err = ptw_error_create(PTW_E_BAD_DATA,
				       "%s is not the dump's kernel: its build ID is %s, VMCOREINFO BUILD-ID is %s",
				       path, build_id[0] ? build_id : "(none)", expected_build_id);
		goto out;
	}
	while ((scn = elf_nextscn(elf, scn)) != NULL) {
		GElf_Shdr sh;
		Elf_Data *data;
		size_t n;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB || sh.sh_entsize == 0)
			continue;
		data = elf_getdata(scn, NULL);
		if (!data) {
			err = libelf_error(path, "reading .symtab");
			goto out;
		}
		n = sh.sh_size / sh.sh_entsize;
		for (size_t i = 0; i < n; i++) {
			GElf_Sym sym;
			const char *name;
			int type;

			if (!gelf_getsym(data, (int)i, &sym))
				break;
			type = GELF_ST_TYPE(sym.st_info);
			if (type == STT_SECTION || type == STT_FILE || sym.st_shndx == SHN_UNDEF)
				continue;
			name = elf_strptr(elf, sh.sh_link, sym.st_name);
			/* Empty names and arm64's $x/$d mapping symbols name no object. */
			if (!name || !name[0] || name[0] == '$')
				continue;
			err = ptw_symtab_add(st, relocatable(sym.st_value) ? sym.st_value + kaslr_offset : sym.st_value,
					     type_letter(elf, &sym), name, strlen(name), PTW_SYM_VMLINUX);
			if (err)
				goto out;
			added++;
		}
	}
	if (!added)
		err = ptw_error_create(PTW_E_BAD_DATA, "%s has no symbol table (stripped?)", path);
out:
	if (elf)
		elf_end(elf);
	close(fd);
	return err;
}
