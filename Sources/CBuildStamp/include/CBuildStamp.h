#ifndef CBUILDSTAMP_H
#define CBUILDSTAMP_H

// MARK: Build stamp
// What the binary says it is (`--version`, the first log line, `azwi_build_info`, the User-Agent).
// A plain `swift build` links the defaults in build_stamp.c; scripts/build-release links an object
// of its own that defines the same four functions with the values of the build (see there).

/// The version: `git describe` of the build, a release tag such as `v0.1.0`, or `dev`.
const char *azwi_build_version(void);

/// The full commit hash the binary was built from, or `unknown`.
const char *azwi_build_commit(void);

/// When the binary was built, UTC, ISO 8601 (`2026-11-23T10:00:00Z`), or `unknown`.
const char *azwi_build_date(void);

/// The Swift compiler's version (`6.3.1`), or `unknown`.
const char *azwi_build_swift_version(void);

#endif
