"""A local HTTPS stand-in of the AKS identity-binding token proxy, for the Azure SDK test.

With identity bindings the Azure SDK sends Entra ID's client-credentials request to the token
proxy in the cluster instead of the authority host: same path (`/{tenant}/oauth2/v2.0/token`
under the proxy URL), same form, the client assertion being the pod's service account token for
the proxy's audience. It connects with TLS to the proxy URL's address but sends the configured SNI
name and verifies the proxy's certificate against the configured CA for that name.

This stand-in checks what the proxy would before it exchanges the token with Entra ID:
- the TLS server name the client sent is the configured SNI name (any other name, or none, is
  refused with an `unrecognized_name` alert, so no request is served over such a connection);
  its certificate is valid for that name only, signed by the test's proxy CA;
- the request, as Entra ID checks it (EntraStandIn's checks): the tenant's token endpoint path,
  the app's client_id, the grant and assertion types, a `.default` scope, and the assertion:
  the service account token on disk, whose issuer and subject are the bound ServiceAccount's and
  whose audience is the proxy's (not Entra ID's `api://AzureADTokenExchange`).
It then answers as Entra ID would (the real proxy relays Entra ID's answer).
"""
import ssl
import threading

from entra_stand_in import EntraStandIn


class TokenProxyStandIn(EntraStandIn):
    """The token proxy on 127.0.0.1 (a port the OS picks), serving only TLS for `sni_name`."""

    def __init__(self, pki_dir, sni_name, **federated_credential):
        self.sni_name = sni_name
        self.server_names = []  # the SNI of every TLS handshake, accepted or not
        self._names_lock = threading.Lock()
        super().__init__(pki_dir, **federated_credential)

    def _tls_context(self, pki_dir) -> ssl.SSLContext:
        context = super()._tls_context(pki_dir)
        context.sni_callback = self._check_server_name
        return context

    def _check_server_name(self, _socket, server_name, _context):
        with self._names_lock:
            self.server_names.append(server_name)
        if server_name != self.sni_name:
            return ssl.ALERT_DESCRIPTION_UNRECOGNIZED_NAME
        return None

    def handshakes(self):
        with self._names_lock:
            return list(self.server_names)
