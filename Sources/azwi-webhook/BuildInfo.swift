import JSONText
import CBuildStamp
import Logging

/// What this binary is: the version, commit, build date and Swift version stamped into it, and
/// the platform it was compiled for.
///
/// One value says it everywhere the build shows — `--version`, the first log line, the
/// `azwi_build_info` gauge and the `User-Agent` of API calls — so a log, a scrape and an API
/// server's audit entry name the same build. `scripts/build-release` stamps the values (see
/// `CBuildStamp`); a plain `swift build` reports `dev` and `unknown`.
struct BuildInfo: Equatable, Sendable {
    /// `git describe` of the build (a release tag such as `v0.1.0`), or `dev`.
    var version: String
    /// The full commit hash, or `unknown`.
    var commit: String
    /// UTC, ISO 8601, or `unknown`.
    var date: String
    /// The Swift compiler's version, or `unknown`.
    var swiftVersion: String
    /// `os/arch` in Go's spelling, as upstream reports it: `linux/amd64`, `linux/arm64`.
    var platform: String

    /// This binary's build.
    static let current = BuildInfo(
        version: String(cString: azwi_build_version()),
        commit: String(cString: azwi_build_commit()),
        date: String(cString: azwi_build_date()),
        swiftVersion: String(cString: azwi_build_swift_version()),
        platform: compiledPlatform)

    /// The platform this code was compiled for, decided by the compiler rather than stamped.
    static var compiledPlatform: String {
        #if os(Linux)
        let os = "linux"
        #else
        let os = "unknown"
        #endif
        #if arch(x86_64)
        let arch = "amd64"
        #elseif arch(arm64)
        let arch = "arm64"
        #else
        let arch = "unknown"
        #endif
        return "\(os)/\(arch)"
    }

    /// `--version`: upstream's JSON object, keys in its order, with `swiftVersion` where upstream
    /// has `goVersion`.
    var json: String {
        let fields = [
            ("buildVersion", version), ("gitCommit", commit), ("buildDate", date),
            ("swiftVersion", swiftVersion), ("platform", platform),
        ]
        var out: [UInt8] = [UInt8(ascii: "{")]
        for (index, (key, value)) in fields.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            JSONString.write(key, into: &out)
            out.append(UInt8(ascii: ":"))
            JSONString.write(value, into: &out)
        }
        out.append(UInt8(ascii: "}"))
        return String(decoding: out, as: UTF8.self)
    }

    /// The `User-Agent` of API calls, in upstream's layout
    /// (`<name>/<version> (<os>/<arch>) <commit>/<date>`) with our name and the Swift version.
    var userAgent: String {
        "azwi-webhook/\(version) (\(platform)) \(commit)/\(date) swift/\(swiftVersion)"
    }

    /// The fields of the first log line.
    var logMetadata: Logger.Metadata {
        [
            "version": "\(version)", "commit": "\(commit)", "buildDate": "\(date)",
            "swiftVersion": "\(swiftVersion)", "platform": "\(platform)",
        ]
    }
}
