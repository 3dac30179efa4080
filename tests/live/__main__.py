"""``make test-live``: run the live conformance kit (the playbook ``backupops.veeam.conformance`` of the installed
collection) against the real servers the ``VEEAM_LIVE_*`` variables name, or say what it needs and exit 0.

    VEEAM_LIVE_VBR_SERVER, VEEAM_LIVE_VBR_USERNAME, VEEAM_LIVE_VBR_PASSWORD   a VBR server (any of the two products)
    VEEAM_LIVE_EM_SERVER, VEEAM_LIVE_EM_USERNAME, VEEAM_LIVE_EM_PASSWORD      an Enterprise Manager
    VEEAM_LIVE_VBR_CA_PATH, VEEAM_LIVE_EM_CA_PATH                             PEM files to trust (optional)
    VEEAM_LIVE_VBR_VALIDATE_CERTS, VEEAM_LIVE_EM_VALIDATE_CERTS               no: skip the certificate check
    VEEAM_LIVE_WRITE=yes, VEEAM_LIVE_TEST_ACCOUNT                             also the write checks, with a throw-away
                                                                              DOMAIN\\name account the servers do not list
    VEEAM_LIVE_TEST_GROUP, VEEAM_LIVE_EM_TEST_ACCOUNT,                        optional extras of the write checks
    VEEAM_LIVE_EM_SCOPE_REF, VEEAM_LIVE_EM_SCOPE_NAME
    VEEAM_LIVE_REPORT                                                         where the report goes
                                                                              (default build/veeam-conformance-report.json)
"""

import os
import subprocess
import sys

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NEEDED = ("VEEAM_LIVE_VBR_SERVER", "VEEAM_LIVE_EM_SERVER")


def needs():
    return ("make test-live checks a real Veeam server against what backupops.veeam expects; it needs at least one of "
            "VEEAM_LIVE_VBR_SERVER (with VEEAM_LIVE_VBR_USERNAME and VEEAM_LIVE_VBR_PASSWORD) or VEEAM_LIVE_EM_SERVER "
            "(with VEEAM_LIVE_EM_USERNAME and VEEAM_LIVE_EM_PASSWORD). Optional: VEEAM_LIVE_*_CA_PATH, "
            "VEEAM_LIVE_*_VALIDATE_CERTS, VEEAM_LIVE_WRITE=yes with VEEAM_LIVE_TEST_ACCOUNT (a throw-away DOMAIN\\name "
            "account the servers do not list), VEEAM_LIVE_REPORT. It reads only, unless VEEAM_LIVE_WRITE=yes. "
            "None is set, so nothing was checked.")


def main(environ=None):
    environ = dict(os.environ if environ is None else environ)
    if not any(environ.get(name) for name in NEEDED):
        print(needs())
        return 0
    environ.setdefault("VEEAM_LIVE_REPORT", os.path.join(REPO_ROOT, "build", "veeam-conformance-report.json"))
    report_dir = os.path.dirname(os.path.abspath(environ["VEEAM_LIVE_REPORT"]))
    if not os.path.isdir(report_dir):
        os.makedirs(report_dir)
    environ.setdefault("ANSIBLE_COLLECTIONS_PATH", os.path.join(REPO_ROOT, ".collections"))
    command = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i", "localhost,",
               "backupops.veeam.conformance"]
    returncode = subprocess.call(command, env=environ)
    print("report (shapes, statuses and versions only; attach it to an issue): %s" % environ["VEEAM_LIVE_REPORT"])
    return returncode


if __name__ == "__main__":
    sys.exit(main())
