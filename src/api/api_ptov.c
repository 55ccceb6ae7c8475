/* Physical to virtual: the linear map and the kernel image alias. */
#include <stdlib.h>

#include "api.h"

/* The image alias is reported only where the tables really map it back:
 * kimage_voffset alone would give an address for any PA. */
static bool kimage_confirmed(struct ptwalk_space *s, uint64_t pa, uint64_t kva)
{
	const struct ptw_xlat *x = s->x;
	struct ptwalk_translation t;
	struct ptwalk_error *err;

	if (x->have_stext && (kva < (x->stext & ~(UINT64_C(0x1fffff))) || kva - x->stext > (UINT64_C(1) << 30)))
		return false;
	err = ptwalk_translate(s, kva, &t);
	if (err) {
		ptwalk_error_free(err);
		return false;
	}
	return t.status != PTWALK_NO_USER_TABLE && t.status != PTWALK_NON_CANONICAL && t.have_pa && t.pa == pa;
}

struct ptwalk_error *ptwalk_ptov(struct ptwalk_dump *d, uint64_t pa, struct ptwalk_ptov *ret)
{
	struct ptwalk_space *s;
	struct ptwalk_ptov p = { 0 };
	struct ptwalk_error *err = ptwalk_space_kernel(d, &s);

	if (err)
		return err;
	if (s->ops->ptov)
		s->ops->ptov(s->x, pa, &p.have_linear, &p.linear, &p.have_kimage, &p.kimage);
	if (p.have_kimage)
		p.have_kimage = kimage_confirmed(s, pa, p.kimage);
	if (!p.have_kimage)
		p.kimage = 0;
	if (!p.have_linear)
		p.linear = 0;
	ptwalk_space_close(s);
	*ret = p;
	return NULL;
}
