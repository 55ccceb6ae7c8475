/* Page codecs of the kdump-compressed format. */
#ifndef PTW_DECOMP_H
#define PTW_DECOMP_H
#endif
