/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The two functions GCC may call on its own even in freestanding code. */
#include <stddef.h>

void *memset(void *destination, int value, size_t count);
void *memcpy(void *destination, const void *source, size_t count);

void *memset(void *destination, int value, size_t count)
{
    unsigned char *d = destination;
    while (count--)
        *d++ = (unsigned char)value;
    return destination;
}

void *memcpy(void *destination, const void *source, size_t count)
{
    unsigned char *d = destination;
    const unsigned char *s = source;
    while (count--)
        *d++ = *s++;
    return destination;
}
