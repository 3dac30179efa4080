# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops.veeam contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)


class ModuleDocFragment(object):
    """Connection options of every module that talks to Veeam Backup Enterprise Manager."""

    DOCUMENTATION = r"""
options:
  server:
    description:
      - Host name, IP address or base URL of the Enterprise Manager server, for example C(em01.tech.local)
        or C(https://em01.tech.local:9398).
      - A port inside O(server) wins over O(port).
      - C(http://) is accepted for test rigs and TLS-terminating proxies, with a warning.
      - If not set, the value of the E(VEEAM_EM_SERVER) environment variable is used.
    type: str
    required: true
  port:
    description:
      - TCP port of the Enterprise Manager REST API.
      - If not set, the value of the E(VEEAM_EM_PORT) environment variable is used.
    type: int
    default: 9398
  username:
    description:
      - Account that logs on to Enterprise Manager (HTTP Basic on C(POST /api/sessionMngr/)), as C(DOMAIN\\user).
      - It needs the Portal Administrator role to manage accounts and restore scopes.
      - If not set, the value of the E(VEEAM_EM_USERNAME) environment variable is used.
    type: str
    required: true
  password:
    description:
      - Password of O(username).
      - If not set, the value of the E(VEEAM_EM_PASSWORD) environment variable is used.
    type: str
    required: true
  validate_certs:
    description:
      - Whether to check the server's TLS certificate.
      - Enterprise Manager ships a self-signed certificate; trust it with O(ca_path) rather than turning this off.
      - If not set, the value of the E(VEEAM_EM_VALIDATE_CERTS) environment variable is used.
    type: bool
    default: true
  ca_path:
    description:
      - PEM file with the certificate(s) to trust for the server (its own certificate or its CA).
      - If not set, the value of the E(VEEAM_EM_CA_PATH) environment variable is used.
      - A file that is empty (as AWX writes it for a credential whose CA certificate field is blank) counts as
        not given, with a warning.
    type: path
  timeout:
    description:
      - Seconds to wait for the server to accept a connection and for each answer.
      - If not set, the value of the E(VEEAM_EM_TIMEOUT) environment variable is used.
    type: int
    default: 30
  retries:
    description:
      - How many times a request is sent again after a connection error or an HTTP 429, 502, 503 or 504
        answer, with exponential backoff and jitter, honouring C(Retry-After).
      - A write whose outcome is unknown is never sent again blindly; the module reads the server's state instead.
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
  - The module ends its logon session (C(DELETE /api/logonSessions/{id})) when it ends.
requirements:
  - "requests >= 2.25 for the Python that runs the module (usually the controller's, with C(connection: local)
    and C(ansible_python_interpreter: '{{ ansible_playbook_python }}'), as the collection's playbooks set it)."
"""
