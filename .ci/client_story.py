"""One short story through the client that openapi-python-client generated from our document:
a resident logs in, raises a topic, finds it in the topic list, and a bad request comes back
as a typed Problem naming the field. Usage: client_story.py BASE_URL (the client on PYTHONPATH)."""

import sys
import uuid

from yishi_client import AuthenticatedClient, Client
from yishi_client.api.auth import create_session, get_me
from yishi_client.api.topics import create_topic, list_topics
from yishi_client.models import LoginRequest, NewTopic, Problem, TokenPair, TopicCategory


def main(base: str) -> None:
    anon = Client(base_url=base, raise_on_unexpected_status=True)
    pair = create_session.sync(
        client=anon,
        body=LoginRequest(email="resident@yishi.demo", password="yishi-demo-2026"),
    )
    assert isinstance(pair, TokenPair), f"login answered {pair!r}"
    me_client = AuthenticatedClient(base_url=base, token=pair.access_token, raise_on_unexpected_status=True)
    me = get_me.sync(client=me_client)
    home = next(g.place_id for g in me.roles if g.role.value == "resident")

    title = f"电梯坏了 {uuid.uuid4().hex[:6]}"
    topic = create_topic.sync(
        client=me_client,
        body=NewTopic(title=title, body="3号楼电梯停运两天，老人上下楼困难。", category=TopicCategory.FACILITIES, place_id=home),
    )
    assert not isinstance(topic, Problem), f"create answered {topic!r}"
    assert topic.title == title and topic.stage.value == "say", topic

    listed = list_topics.sync(client=me_client, place_id=home, limit=100)
    assert any(t.id == topic.id and t.title == title for t in listed.items), "the new topic is listed"

    refused = create_topic.sync(
        client=me_client,
        body=NewTopic(title="", body="x", category=TopicCategory.FACILITIES, place_id=home),
    )
    assert isinstance(refused, Problem), f"an empty title answered {refused!r}"
    assert refused.status == 422 and refused.field == "title", refused
    print(f"generated client story: topic {topic.id} raised and listed; empty title refused on {refused.field}")


if __name__ == "__main__":
    main(sys.argv[1])
