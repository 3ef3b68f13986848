"""Random, mostly well-formed requests never make the emulator fail (no 5xx, always JSON)."""

from __future__ import annotations

from typing import Any

from conftest import Api
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

emails = st.sampled_from(["a@example.com", "b@example.com", "A@example.com", "bad email", ""])
user_ids = st.sampled_from(["u1", "u2", "u" * 53, "trailing ", "caf\u00e9", ""])
scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
)
values = st.recursive(
    scalars | st.sampled_from(["x", "2024-01-01", "2024-01-01 10:00:00 +00:00"]),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from("abc"), inner, max_size=3)
    ),
    max_leaves=6,
)
data_fields = st.dictionaries(
    st.sampled_from(["n", "s", "o", "email", "userId", "a.b"]), values, max_size=3
)
user = st.fixed_dictionaries(
    {},
    optional={
        "email": emails,
        "userId": user_ids,
        "dataFields": data_fields,
        "preferUserId": st.booleans(),
        "mergeNestedObjects": st.booleans(),
    },
)
item = st.fixed_dictionaries(
    {
        "id": st.sampled_from(["1", "2"]),
        "name": st.just("Mug"),
        "price": st.floats(0, 100),
        "quantity": st.integers(0, 5),
    },
    optional={"dataFields": data_fields, "categories": st.lists(st.text(max_size=3), max_size=2)},
)
event = st.fixed_dictionaries(
    {"eventName": st.sampled_from(["viewed", "clicked"])},
    optional={
        "email": emails,
        "userId": user_ids,
        "id": st.sampled_from(["e1", "e2"]),
        "createdAt": st.integers(-(2**63), 2**63 - 1),
        "dataFields": data_fields,
    },
)
requests_ = st.one_of(
    st.tuples(st.just("POST"), st.just("/api/users/update"), user),
    st.tuples(
        st.just("POST"),
        st.just("/api/users/bulkUpdate"),
        st.fixed_dictionaries({"users": st.lists(user, max_size=4)}),
    ),
    st.tuples(st.just("POST"), st.just("/api/events/track"), event),
    st.tuples(
        st.just("POST"),
        st.just("/api/events/trackBulk"),
        st.fixed_dictionaries({"events": st.lists(event, max_size=4)}),
    ),
    st.tuples(
        st.just("POST"),
        st.just("/api/commerce/trackPurchase"),
        st.fixed_dictionaries(
            {"user": user, "items": st.lists(item, max_size=2), "total": st.floats(0, 100)},
            optional={"id": st.sampled_from(["p1", "p2"]), "dataFields": data_fields},
        ),
    ),
    st.tuples(
        st.just("POST"),
        st.just("/api/commerce/updateCart"),
        st.fixed_dictionaries({"user": user, "items": st.lists(item, max_size=2)}),
    ),
    st.tuples(st.just("POST"), st.just("/api/users/forget"), user),
    st.tuples(
        st.just("DELETE"),
        st.sampled_from(["/api/users/a@example.com", "/api/users/byUserId/u1"]),
        st.none(),
    ),
    st.tuples(
        st.just("POST"),
        st.just("/api/catalogs/products/items"),
        st.fixed_dictionaries(
            {
                "documents": st.dictionaries(
                    st.sampled_from(["1", "2", "a.b"]), data_fields, max_size=2
                ),
                "replaceUploadedFieldsOnly": st.booleans(),
            }
        ),
    ),
    st.tuples(
        st.just("PATCH"),
        st.just("/api/catalogs/products/items/1"),
        st.fixed_dictionaries({"update": data_fields}),
    ),
    st.tuples(
        st.just("GET"),
        st.just("/api/export/data.json?dataTypeName=customEvent&range=All"),
        st.none(),
    ),
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(calls=st.lists(requests_, min_size=1, max_size=4))
def test_no_request_breaks_the_emulator(
    any_project: Api, calls: list[tuple[str, str, Any]]
) -> None:
    api = any_project
    if "products" not in api.emulator.catalogs():
        assert api.post("/api/catalogs/products").status_code == 201
    for method, path, body in calls:
        response = api.call(method, path, body)
        assert response.status_code in {200, 201, 202, 400, 404, 409, 413}, response.text
        if "export" not in path:
            assert isinstance(response.json(), dict)
    _assert_identity_invariants(api)


def _assert_identity_invariants(api: Api) -> None:
    """Whatever happened, each project type's unique identifiers stay unique."""
    users = api.emulator.users()
    project_type = api.emulator.project_type
    emails = [u["email"] for u in users if u["email"] is not None]
    user_ids = [u["userId"] for u in users if u["userId"] is not None]
    if project_type in ("email", "hybrid"):
        assert len(emails) == len(set(emails)), users
    if project_type in ("user_id", "hybrid"):
        assert len(user_ids) == len(set(user_ids)), users
    if project_type == "email":
        assert all(u["email"] for u in users), "every profile has an email in email-based projects"
    if project_type == "user_id":
        assert all(u["userId"] for u in users), "every profile has a userId in userID-based ones"
