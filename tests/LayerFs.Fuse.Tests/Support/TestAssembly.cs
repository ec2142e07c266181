using Xunit;

// The tests mount real filesystems, drop the kernel's caches and time daemons: one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
