internal import CShims

/// How the process's allocator treats large blocks.
///
/// glibc serves blocks of at least `M_MMAP_THRESHOLD` bytes with their own mappings, returned to
/// the kernel when freed, but by default raises the threshold to the size of each such block
/// freed: after the first few, megabyte-sized buffers (a LIST page of pods or ServiceAccounts, its
/// decoded objects) come from the heap instead, and the heap keeps their pages resident after
/// they are freed. Measured with 10,000 labelled pods (scripts/bench-repair-pods): pod repair cost
/// 15 MB above the idle process with the sliding threshold, 5 MB with a fixed one.
public enum LargeAllocations {
    /// Fixes the threshold at `bytes` (glibc's initial 128 KiB by default): larger blocks always
    /// get their own mapping and go back to the kernel when freed.
    public static func returnToTheKernel(above bytes: Int = 128 * 1024) {
        _ = CShims_mallopt_mmap_threshold(Int32(bytes))
    }
}
