#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops.veeam contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: vbr_authorization_event_info
short_description: List four-eyes authorization requests and security events of a Veeam Backup & Replication server
version_added: 1.0.0
description:
  - Lists the authorization events of a Veeam Backup & Replication server (C(GET /api/v1/authorization/events),
    REST API 1.3-rev1 and later) - the requests that wait for, or got, a second administrator's approval when
    four-eyes authorization is on, and the security events around them (users and groups added or deleted, roles
    assigned, four-eyes settings changed).
  - Use it to see what a task that failed with C(error_code=four_eyes) is waiting for, or to audit who approved what.
  - The events come newest first. Filters are applied by the server; every page of the answer is read.
  - Needs the Backup Administrator or Security Administrator role.
author:
  - backupops.veeam contributors (@backupops)
options:
  id:
    description:
      - Return only the event with this id. No such event returns an empty list.
      - The other filters do not apply then.
    type: str
  state:
    description:
      - Only events in these states. V(Pending) are requests still waiting for approval.
    type: list
    elements: str
    choices: [Pending, Approved, Rejected, Expired, Info, CockpitMessage]
  name:
    description:
      - Only events that match this pattern in any of their fields (the server's C(nameFilter)); C(*) at the start,
        the end or both stands for any characters.
    type: str
  created_by:
    description:
      - Only events initiated by this account, for example C(TECH\\svc.ansible).
    type: str
  processed_by:
    description:
      - Only events approved or rejected by this account.
    type: str
  created_after:
    description:
      - Only events created after this date and time (ISO 8601, for example C(2026-05-20T00:00:00Z)).
    type: str
  created_before:
    description:
      - Only events created before this date and time (ISO 8601).
    type: str
  processed_after:
    description:
      - Only events processed after this date and time (ISO 8601).
    type: str
  processed_before:
    description:
      - Only events processed before this date and time (ISO 8601).
    type: str
  expire_after:
    description:
      - Only events that expire after this date and time (ISO 8601).
    type: str
  expire_before:
    description:
      - Only events that expire before this date and time (ISO 8601).
    type: str
extends_documentation_fragment:
  - backupops.veeam.vbr
  - backupops.veeam.attributes
  - backupops.veeam.attributes.info_module
  - backupops.veeam.attributes.actiongroup_vbr
seealso:
  - module: backupops.veeam.vbr_user
"""

EXAMPLES = r"""
- name: Which requests wait for a second administrator's approval?
  backupops.veeam.vbr_authorization_event_info:
    server: vbr01.tech.local
    username: TECH\svc.ansible
    password: "{{ vault_vbr_password }}"
    ca_path: /etc/pki/veeam/vbr01.pem
    state: [Pending]
  register: pending_requests

- name: Show them
  ansible.builtin.debug:
    msg: "{{ pending_requests.events | map(attribute='description') | list }}"

- name: What the automation account asked for since May, and what became of it
  backupops.veeam.vbr_authorization_event_info:
    server: vbr01.tech.local
    username: TECH\svc.ansible
    password: "{{ vault_vbr_password }}"
    ca_path: /etc/pki/veeam/vbr01.pem
    created_by: TECH\svc.ansible
    created_after: "2026-05-01T00:00:00Z"
    state: [Pending, Approved, Rejected, Expired]
"""

RETURN = r"""
events:
  description: The authorization events, newest first.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: Event id.
      type: str
      sample: c7e21f08-3a44-4d19-8b6c-2f905ea1b7d4
    name:
      description: Event name.
      type: str
      sample: Four-eyes authorization request
    description:
      description: What the event is about.
      type: str
      sample: A four-eyes authorization request requires approval by a second administrator
    state:
      description: V(Pending), V(Approved), V(Rejected), V(Expired), V(Info) or V(CockpitMessage).
      type: str
      sample: Pending
    creation_time:
      description: When the event was created.
      type: str
      sample: "2026-05-19T08:00:00Z"
    created_by:
      description: The account that initiated it.
      type: str
      sample: TECH\Administrator
    expiration_time:
      description: When a pending request expires.
      type: str
    processed_by:
      description: The account that approved or rejected it.
      type: str
    processed_time:
      description: When it was approved or rejected.
      type: str
"""

import re

from ansible_collections.backupops.veeam.plugins.module_utils.vbr_client import authorization_event_result, is_uuid
from ansible_collections.backupops.veeam.plugins.module_utils.veeam_module import VbrModule

FILTERS = ("name", "created_by", "processed_by", "created_after", "created_before", "processed_after",
           "processed_before", "expire_after", "expire_before")
DATE_FILTERS = [name for name in FILTERS if name.endswith(("_after", "_before"))]
ISO_8601 = re.compile(r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$")


def check_input(module):
    params = module.params
    if params["id"] and not is_uuid(params["id"]):
        module.fail_json(msg="id %r is not an authorization event id: give the id (a UUID such as "
                             "c7e21f08-3a44-4d19-8b6c-2f905ea1b7d4) that the events list shows" % params["id"])
    for name in DATE_FILTERS:
        if params[name] and not ISO_8601.match(params[name].strip()):
            module.fail_json(msg="%s %r is not a date and time: use ISO 8601, for example 2026-05-20T10:30:00Z"
                             % (name, params[name]))


def main_logic(module):
    check_input(module)
    client = module.client
    params = module.params
    if params["id"]:
        event = client.get_authorization_event(params["id"])
        events = [event] if event else []
    else:
        filters = dict((name, params[name]) for name in FILTERS)
        filters["name_filter"] = filters.pop("name")
        events = client.list_authorization_events(states=params["state"], **filters)
    module.exit_json(changed=False, events=[authorization_event_result(event) for event in events])


def main():
    options = dict((name, dict(type="str")) for name in FILTERS)
    options.update(id=dict(type="str"),
                   state=dict(type="list", elements="str",
                              choices=["Pending", "Approved", "Rejected", "Expired", "Info", "CockpitMessage"]))
    module = VbrModule(argument_spec=options, not_blank=["id"] + list(FILTERS), supports_check_mode=True)
    module.run(main_logic)


if __name__ == "__main__":
    main()
