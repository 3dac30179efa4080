"""A simulated Active Directory: the accounts VBR resolves names against and checks passwords with.

VBR adds a user or group only when its domain controller knows the name, and the account must be of the
kind it is added as. The directory holds users (with an optional password: only those can log in), groups
with their members, and whole domains (a NetBIOS name like ``BULK`` or a UPN suffix like ``bulk.local``:
every user name in them resolves, for benchmarks with thousands of generated users).

Names are compared case-insensitively, like Windows does.
"""

import threading

USER, GROUP = "user", "group"

# A fresh simulator's directory. The automation account (--username) and its password are added at start.
SEED_USERS = ["TECH\\sheila.d.cory", "TECH\\michael.wells", "TECH\\william.fox", "TECH\\jane.doe",
              "TECH\\bob.smith", "TECH\\new.user", "TECH\\john.smith", "TECH\\mary.smith",
              "jane.doe@tech.local", "bob.smith@tech.local", "VBR01\\Administrator"]
SEED_GROUPS = {
    "BUILTIN\\Administrators": ["VBR01\\Administrator"],
    "TECH\\Administrators": ["TECH\\sheila.d.cory"],
    "TECH\\Backup Operators": ["TECH\\john.smith", "TECH\\mary.smith"],
    "TECH\\Restore Operators": ["TECH\\william.fox", "TECH\\jane.doe"],
}
# Accounts that log in with the simulator's password besides the automation account: an administrator that
# is not a service account (lockout and MFA tests), a Restore Operator (403 tests), and a local administrator
# that has no VBR record of its own but is a member of BUILTIN\Administrators (login through a group).
SEED_LOGINS = ["TECH\\sheila.d.cory", "TECH\\william.fox", "VBR01\\Administrator"]
# Not in Active Directory: an account of another identity provider, for ExternalUser tests.
EXTERNAL_USERS = ["jane.doe@tech.com"]


def fold(name):
    return (name or "").casefold()


def domain_of(name):
    """``TECH`` of ``TECH\\jane``, ``tech.local`` of ``jane@tech.local`` (folded); ``""`` for a bare name."""
    if "\\" in name:
        return fold(name.split("\\", 1)[0])
    if "@" in name:
        return fold(name.rsplit("@", 1)[1])
    return ""


def is_down_level(name):
    """``DOMAIN\\name`` with both parts present."""
    domain, sep, account = name.partition("\\")
    return bool(sep and domain.strip() and account.strip() and "\\" not in account)


def is_upn(name):
    """``name@suffix`` with both parts present and no backslash."""
    account, sep, suffix = name.rpartition("@")
    return bool(sep and account.strip() and suffix.strip() and "\\" not in name and "@" not in account)


class Directory(object):
    """Users, groups (with members) and whole domains; thread-safe."""

    def __init__(self):
        self.lock = threading.RLock()
        self.users = {}       # folded name -> name as written
        self.passwords = {}   # folded name -> password
        self.groups = {}      # folded name -> {"name": name as written, "members": set of folded names}
        self.domains = set()  # folded NetBIOS names and UPN suffixes

    @classmethod
    def seeded(cls, username, password):
        """The directory of a fresh simulator, with the automation login ``username``."""
        directory = cls()
        for name in SEED_USERS:
            directory.add_user(name)
        for name, members in SEED_GROUPS.items():
            directory.add_group(name, members)
        for name in SEED_LOGINS + [username]:
            directory.add_user(name, password)
        return directory

    # ------------------------------------------------------------------ changes
    def add_user(self, name, password=None):
        with self.lock:
            self.users.setdefault(fold(name), name)
            if password is not None:
                self.passwords[fold(name)] = password

    def add_group(self, name, members=()):
        with self.lock:
            group = self.groups.setdefault(fold(name), {"name": name, "members": set()})
            group["members"].update(fold(member) for member in members)

    def add_domain(self, domain):
        with self.lock:
            self.domains.add(fold(domain))

    # ------------------------------------------------------------------ lookups
    def kind(self, name):
        """``"user"``, ``"group"`` or None: what the directory knows ``name`` as."""
        folded = fold(name)
        with self.lock:
            if folded in self.groups:
                return GROUP
            if folded in self.users or (domain_of(name) and domain_of(name) in self.domains):
                return USER
        return None

    def groups_of(self, account):
        """Folded names of the groups ``account`` is a direct member of."""
        folded = fold(account)
        with self.lock:
            return [name for name, group in self.groups.items() if folded in group["members"]]

    def authenticate(self, name, password):
        """True when ``name`` is a known user whose password is ``password``."""
        with self.lock:
            expected = self.passwords.get(fold(name))
        return expected is not None and password == expected

    # ------------------------------------------------------------------ state
    def snapshot(self):
        """JSON-serialisable content, without passwords (state files and /_sim/state must hold no secret)."""
        with self.lock:
            return {"users": sorted(self.users.values(), key=fold),
                    "groups": {group["name"]: sorted(group["members"]) for group in self.groups.values()},
                    "domains": sorted(self.domains)}

    def restore(self, data):
        """Add what a :meth:`snapshot` holds (the seed accounts and their passwords stay)."""
        for name in data.get("users", []):
            self.add_user(name)
        for name, members in (data.get("groups") or {}).items():
            self.add_group(name, members)
        for domain in data.get("domains", []):
            self.add_domain(domain)
