import JSONText
import YAML

/// Wraps a pod in the AdmissionReview request kube-apiserver would send for its creation,
/// so `mutate` runs exactly the code path the server runs.
enum PodReview {
    /// The uid of every review `mutate` builds; the response echoes it.
    static let uid = "00000000-0000-4000-8000-000000000000"

    /// The AdmissionReview (v1, CREATE) for creating `pod` in `namespace`, as JSON bytes.
    static func request(for pod: YAMLNode, namespace: String) -> [UInt8] {
        var out = [UInt8]()
        out.append(contentsOf: #"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"\#(uid)","#.utf8)
        out.append(contentsOf: #""kind":{"group":"","version":"v1","kind":"Pod"},"resource":{"group":"","version":"v1","resource":"pods"},"#.utf8)
        out.append(contentsOf: #""requestKind":{"group":"","version":"v1","kind":"Pod"},"requestResource":{"group":"","version":"v1","resource":"pods"},"#.utf8)
        if let name = pod["metadata"]?["name"]?.string {
            out.append(contentsOf: #""name":"#.utf8)
            JSONString.write(name, into: &out)
            out.append(UInt8(ascii: ","))
        }
        out.append(contentsOf: #""namespace":"#.utf8)
        JSONString.write(namespace, into: &out)
        out.append(contentsOf: #","operation":"CREATE","userInfo":{"username":"azwi-webhook-mutate"},"object":"#.utf8)
        pod.writeJSON(into: &out)
        out.append(contentsOf: #","oldObject":null,"dryRun":false,"options":{"kind":"CreateOptions","apiVersion":"meta.k8s.io/v1"}}}"#.utf8)
        return out
    }
}
