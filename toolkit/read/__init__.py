"""Reading returns: readers, the isolated worker pool, locating values, identification, collect, resolve."""
