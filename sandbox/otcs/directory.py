"""Users and groups: who may log in, and which groups they belong to.

The seeded account (`admin`) is the service account; other users log in with their own
password and get their own ticket, so what they do is audited under their own id (the
change-request approvals of flow 3 depend on that). Members are kept as OTCS keeps
them: users are type 0, groups type 1, both in one id space (pyxecm `get_user`,
`get_group`: `/v2/members` with `where_type` 0 or 1).
"""

from __future__ import annotations

import itertools
import secrets
import threading
from dataclasses import dataclass, field

from sandbox.otcs.transport import ApiError

# The seeded records administrator (the service account) and the ids of members added later.
ADMIN_USER_ID = 1000
FIRST_MEMBER_ID = 8000
# The group every user belongs to by default (pyxecm's examples show `group_id` 8006,
# DefaultGroup; the id is ours).
DEFAULT_GROUP_ID = 1001


@dataclass(frozen=True)
class User:
    id: int
    name: str
    first_name: str = "Records"
    last_name: str = "Administrator"


@dataclass
class Group:
    id: int
    name: str
    member_ids: set[int] = field(default_factory=set)


class Directory:
    """Users (with passwords) and groups, behind one lock (tests add members from other
    threads while the server runs)."""

    def __init__(self, admin: User, admin_password: str) -> None:
        self._lock = threading.RLock()
        self._ids = itertools.count(FIRST_MEMBER_ID)
        self.users: dict[int, User] = {admin.id: admin}
        self._passwords: dict[int, str] = {admin.id: admin_password}
        self.groups: dict[int, Group] = {
            DEFAULT_GROUP_ID: Group(DEFAULT_GROUP_ID, "DefaultGroup", {admin.id})
        }

    def _name_free(self, name: str) -> None:
        taken = {u.name.lower() for u in self.users.values()}
        taken |= {g.name.lower() for g in self.groups.values()}
        if name.lower() in taken:
            raise ApiError(400, f"A member with the name '{name}' already exists.")

    def add_user(self, name: str, password: str, first_name: str = "", last_name: str = "") -> User:
        if not name or not password:
            raise ApiError(400, "A user needs a name and a password.")
        with self._lock:
            self._name_free(name)
            user = User(next(self._ids), name, first_name, last_name)
            self.users[user.id] = user
            self._passwords[user.id] = password
            self.groups[DEFAULT_GROUP_ID].member_ids.add(user.id)
            return user

    def add_group(self, name: str) -> Group:
        if not name:
            raise ApiError(400, "A group needs a name.")
        with self._lock:
            self._name_free(name)
            group = Group(next(self._ids), name)
            self.groups[group.id] = group
            return group

    def add_member(self, group_id: int, member_id: int) -> None:
        with self._lock:
            group = self.group(group_id)
            if member_id not in self.users and member_id not in self.groups:
                raise ApiError(400, f"Member {member_id} does not exist.")
            group.member_ids.add(member_id)

    def remove_member(self, group_id: int, member_id: int) -> None:
        with self._lock:
            self.group(group_id).member_ids.discard(member_id)

    def group(self, group_id: int) -> Group:
        group = self.groups.get(group_id)
        if group is None:
            raise ApiError(400, f"Could not get a member for {group_id}")
        return group

    def user_named(self, name: str) -> User | None:
        with self._lock:
            return next((u for u in self.users.values() if u.name.lower() == name.lower()), None)

    def check_password(self, name: str, password: str) -> User | None:
        """The user whose credentials these are, or None."""
        with self._lock:
            user = self.user_named(name)
            if user is None:
                return None
            expected = self._passwords[user.id]
            return user if secrets.compare_digest(password, expected) else None

    def groups_of(self, member_id: int) -> list[Group]:
        with self._lock:
            return [g for g in self.groups.values() if member_id in g.member_ids]
