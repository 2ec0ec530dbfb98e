// swift-tools-version: 6.1
import PackageDescription

/// Settings every Swift target shares: Swift 6 mode, explicit import visibility.
let swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "azure-workload-identity-webhook",
    products: [
        .executable(name: "azwi-webhook", targets: ["azwi-webhook"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // C bridge: system libraries and the one-line shims for macros Swift cannot import.
        .systemLibrary(name: "COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CYAML", pkgConfig: "yaml-0.1", providers: [.apt(["libyaml-dev"])]),
        .target(name: "CShims", dependencies: ["COpenSSL", "CZlib"]),
        // The build's version, commit and date: defaults here, stamped by scripts/build-release at link time.
        .target(name: "CBuildStamp"),

        // POSIX primitives: sockets, the byte stream, threads, locks, file reads, with their errno error type.
        .target(name: "WebhookPOSIX", swiftSettings: swiftSettings),

        // Transport: TLS and HTTP/1.1. Knows nothing of Kubernetes.
        .target(
            name: "WebhookTLS",
            dependencies: ["WebhookPOSIX", "COpenSSL", "CShims", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "WebhookHTTP",
            dependencies: [
                "WebhookPOSIX", "WebhookTLS", "JSONText", "CZlib", "CShims",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings
        ),

        // JSON string escaping and hex digits: no dependencies, so every layer (the pure admission one included) shares them.
        .target(name: "JSONText", swiftSettings: swiftSettings),

        // Documents: YAML (libyaml) to a tree, and the tree to JSON, for kubeconfig and local files.
        .target(name: "YAML", dependencies: ["CYAML", "JSONText"], swiftSettings: swiftSettings),

        // Kubernetes client: kubeconfig, API calls, the ServiceAccount cache.
        .target(
            name: "KubeClient",
            dependencies: [
                "WebhookPOSIX", "WebhookTLS", "WebhookHTTP", "YAML", "JSONText",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings
        ),

        // Built-in certificates: the Secret, the serving pair, the caBundle, and their rotation.
        .target(
            name: "CertificateRotation",
            dependencies: ["KubeClient", "WebhookPOSIX", "WebhookTLS", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),

        // Admission logic: pure, no I/O. Request bytes + ServiceAccount + config in, response bytes out.
        .target(name: "Admission", dependencies: ["JSONText"], swiftSettings: swiftSettings),

        // Pod repair decisions: pure, no I/O. Pod facts + the webhook's selectors in, what to report and evict out.
        .target(name: "PodRepair", dependencies: ["Admission"], swiftSettings: swiftSettings),

        // The executable that wires the layers together.
        .executableTarget(
            name: "azwi-webhook",
            dependencies: [
                "Admission", "PodRepair", "WebhookPOSIX", "WebhookTLS", "WebhookHTTP", "KubeClient", "CertificateRotation", "YAML", "JSONText", "CBuildStamp",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "admission-benchmark",
            dependencies: ["Admission"],
            path: "bench/AdmissionBenchmark",
            swiftSettings: swiftSettings
        ),

        .executableTarget(
            name: "serviceaccount-cache-benchmark",
            dependencies: ["KubeClient", .product(name: "Logging", package: "swift-log")],
            path: "bench/ServiceAccountCacheBenchmark",
            swiftSettings: swiftSettings
        ),

        .testTarget(
            name: "KubeClientTests",
            dependencies: [
                "KubeClient", "WebhookTLS", "WebhookHTTP", "YAML",
                .product(name: "Logging", package: "swift-log"), .product(name: "MetricsTestKit", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CertificateRotationTests",
            dependencies: ["CertificateRotation", "KubeClient", "WebhookTLS", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "AdmissionTests", dependencies: ["Admission"], swiftSettings: swiftSettings),
        .testTarget(name: "PodRepairTests", dependencies: ["PodRepair"], swiftSettings: swiftSettings),
        .testTarget(name: "YAMLTests", dependencies: ["YAML"], swiftSettings: swiftSettings),
        .testTarget(name: "JSONTextTests", dependencies: ["JSONText"], swiftSettings: swiftSettings),
        .testTarget(name: "azwi-webhookTests", dependencies: ["azwi-webhook"], swiftSettings: swiftSettings),
        // The admission rule table through Admitter; its JSONTree is also the admission fuzz oracle's.
        .testTarget(name: "AdmissionRuleTableTests", dependencies: ["azwi-webhook", "Admission", "YAML"], swiftSettings: swiftSettings),
        .testTarget(name: "WebhookPOSIXTests", dependencies: ["WebhookPOSIX"], swiftSettings: swiftSettings),
        .testTarget(name: "WebhookTLSTests", dependencies: ["WebhookTLS", "WebhookPOSIX"], swiftSettings: swiftSettings),
        .testTarget(
            name: "WebhookHTTPTests",
            dependencies: ["WebhookHTTP", "WebhookPOSIX", "WebhookTLS", "CZlib", "CShims", .product(name: "MetricsTestKit", package: "swift-metrics")],
            swiftSettings: swiftSettings
        ),
    ]
)
