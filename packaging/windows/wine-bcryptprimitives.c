/*
 * Test shim for CI only, never shipped: Rust's standard library on Windows gets its
 * random numbers from ProcessPrng in bcryptprimitives.dll (Windows 10 and later have it).
 * Debian 12's wine 8.0 has no bcryptprimitives.dll, so no Rust program starts there.
 * packaging/ci.sh builds this with mingw-w64 into the wine prefix it tests the MSI in;
 * it answers ProcessPrng with RtlGenRandom (advapi32's SystemFunction036), which wine has.
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length) {
    while (length > 0) {
        ULONG chunk = length > 0x40000000 ? 0x40000000 : (ULONG)length;
        if (!SystemFunction036(data, chunk)) {
            return FALSE;
        }
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}
