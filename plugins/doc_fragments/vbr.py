# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops.veeam contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)


class ModuleDocFragment(object):
    """Connection options of every module that talks to a Veeam Backup & Replication server."""

    DOCUMENTATION = r"""
options:
  server:
    description:
      - Host name, IP address or base URL of the Veeam Backup & Replication server, for example
        C(vbr01.tech.local), C(vbr01.tech.local:9419) or C(https://vbr01.tech.local:9419).
      - A port inside O(server) wins over O(port).
      - C(http://) is accepted for test rigs and TLS-terminating proxies, with a warning.
      - If not set, the value of the E(VEEAM_VBR_SERVER) environment variable is used.
    type: str
    required: true
  port:
    description:
      - TCP port of the VBR REST API.
      - If not set, the value of the E(VEEAM_VBR_PORT) environment variable is used.
    type: int
    default: 9419
  username:
    description:
      - Account that logs in to the REST API, as C(DOMAIN\\user) or UPN.
      - It needs the Backup Administrator role (C(Veeam Backup Administrator) on VBR 13.0) to manage users, roles
        and MFA.
      - Accounts with MFA enabled cannot use the REST API; automation must use a service account.
      - If not set, the value of the E(VEEAM_VBR_USERNAME) environment variable is used.
    type: str
  password:
    description:
      - Password of O(username).
      - If not set, the value of the E(VEEAM_VBR_PASSWORD) environment variable is used.
    type: str
  access_token:
    description:
      - An OAuth2 access token obtained earlier, used instead of O(username) and O(password).
      - VBR access tokens live 15 minutes by default. When O(password) is given too, the module logs in
        again once the token is refused.
      - If not set, the value of the E(VEEAM_VBR_ACCESS_TOKEN) environment variable is used.
    type: str
  api_version:
    description:
      - Version of the VBR REST API to speak (the C(x-api-version) header).
      - V(auto) picks the newest revision that both the collection and the server support, from the server's own
        answer - V(1.3-rev2) on VBR 13.1, V(1.3-rev1) on VBR 13.0.1. Against VBR 13.1 that costs no extra request;
        against VBR 13.0.1 one (the login is sent again with the older revision).
      - An explicit V(1.3-rev1) or V(1.3-rev2) is used as given; V(1.3-rev1) needs VBR 13.0.1 or later, V(1.3-rev2)
        VBR 13.1, which adds custom roles and per-user MFA state.
      - A server older than VBR 13.0.1 has no security API (users, roles, MFA); the module fails and says so.
      - If not set, the value of the E(VEEAM_VBR_API_VERSION) environment variable is used.
    type: str
    choices: ['auto', '1.3-rev1', '1.3-rev2']
    default: auto
  validate_certs:
    description:
      - Whether to check the server's TLS certificate.
      - Veeam servers ship a self-signed certificate; trust it with O(ca_path) rather than turning this off.
      - If not set, the value of the E(VEEAM_VBR_VALIDATE_CERTS) environment variable is used.
    type: bool
    default: true
  ca_path:
    description:
      - PEM file with the certificate(s) to trust for the server (its own certificate or its CA).
      - If not set, the value of the E(VEEAM_VBR_CA_PATH) environment variable is used.
      - A file that is empty (as AWX writes it for a credential whose CA certificate field is blank) counts as
        not given, with a warning.
    type: path
  timeout:
    description:
      - Seconds to wait for the server to accept a connection and for each answer.
      - If not set, the value of the E(VEEAM_VBR_TIMEOUT) environment variable is used.
    type: int
    default: 30
  retries:
    description:
      - How many times a request is sent again after a connection error or an HTTP 429, 502, 503 or 504
        answer, with exponential backoff and jitter, honouring C(Retry-After).
      - A write whose outcome is unknown (a timeout or a dropped connection after it was sent) is never sent
        again blindly; the module reads the server's state instead.
    type: int
    default: 3
  use_proxy:
    description:
      - Whether to use the proxy named by the E(HTTPS_PROXY) and E(NO_PROXY) environment variables.
    type: bool
    default: true
notes:
  - An environment variable that is set but empty (as AWX injects an optional credential field left blank) counts
    as not set, so the option keeps its default.
  - The module logs out of the REST API (C(POST /api/oauth2/logout)) when it ends, except for a token given in
    O(access_token).
requirements:
  - "requests >= 2.25 for the Python that runs the module (usually the controller's, with C(connection: local)
    and C(ansible_python_interpreter: '{{ ansible_playbook_python }}'), as the collection's playbooks set it)."
"""
