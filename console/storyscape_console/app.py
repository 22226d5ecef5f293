"""The StoryScape developer console: everything a reader can do, through the gateway's public API only,
plus a panel per request for developers. Run with `streamlit run console/storyscape_console/app.py`.

Streamlit reruns this script on every interaction, so the client, the Firebase session and the request log
live in `st.session_state`; a rerun never re-sends a request (requests only happen inside button handlers).
"""

from __future__ import annotations

import json
import os
from typing import Any

import httpx
import streamlit as st

from storyscape_console.firebase_auth import AuthError, FirebaseAuth, FirebaseSession
from storyscape_console.gateway_client import ApiResult, GatewayClient, RequestRecord

LOCAL_GATEWAY = os.environ.get("CONSOLE_GATEWAY_URL", "http://127.0.0.1:8000")
LANGUAGES = {"en": "English", "hi": "हिन्दी"}
AGE_GROUPS = ["3-5", "6-8", "9-12", "13-17"]


def state() -> Any:
    return st.session_state


def init_state() -> None:
    state().setdefault("log", [])
    state().setdefault("session", None)
    state().setdefault("gateway_url", LOCAL_GATEWAY)
    state().setdefault("last_story", None)
    state().setdefault("pending_prompt", None)


def auth() -> FirebaseAuth:
    return FirebaseAuth(
        api_key=os.environ.get("CONSOLE_FIREBASE_API_KEY", "console-demo-key"),
        emulator_host=os.environ.get("FIREBASE_AUTH_EMULATOR_HOST", ""),
    )


def id_token() -> str | None:
    session: FirebaseSession | None = state().session
    if session is None:
        return None
    refreshed = auth().refreshed(session)
    state().session = refreshed
    return str(refreshed.id_token)


def client() -> GatewayClient:
    key = f"client::{state().gateway_url}"
    if key not in state():
        state()[key] = GatewayClient(state().gateway_url, id_token, state().log)
    gateway: GatewayClient = state()[key]
    return gateway


def show_error(result: ApiResult) -> None:
    if result.unavailable:
        st.info(f"Unavailable on this gateway: {result.record.method} {result.record.path} ({result.status})")
    else:
        st.error(result.error_message())


def sidebar() -> None:
    st.sidebar.header("Gateway")
    choice = st.sidebar.radio("Gateway", ["Local", "Other URL"], label_visibility="collapsed")
    url = LOCAL_GATEWAY if choice == "Local" else st.sidebar.text_input("Gateway URL", value=state().gateway_url)
    state().gateway_url = url or LOCAL_GATEWAY
    st.sidebar.caption(state().gateway_url)
    st.sidebar.header("Account")
    session: FirebaseSession | None = state().session
    if session is not None:
        st.sidebar.success(f"Signed in as {session.email}")
        if st.sidebar.button("Sign out"):
            state().session = None
            st.rerun()
        return
    with st.sidebar.form("account"):
        email = st.text_input("Email")
        password = st.text_input("Password", type="password")
        sign_up, sign_in = st.columns(2)
        wants_up = sign_up.form_submit_button("Sign up")
        wants_in = sign_in.form_submit_button("Sign in")
    try:
        if wants_up or wants_in:
            state().session = (auth().sign_up if wants_up else auth().sign_in)(email, password)
            st.rerun()
    except AuthError as exc:
        st.sidebar.error(f"Firebase: {exc}")
    except httpx.HTTPError as exc:
        st.sidebar.error(f"Firebase Auth is unreachable: {exc}")


def story_text_stream(body: dict[str, Any], files: dict[str, Any] | None, holder: dict[str, Any]) -> Any:
    """Yield the story's text as it streams (for st.write_stream); keep the other events in `holder`."""
    for event, payload in client().stream_story(data=body, files=files):
        if event == "story.delta":
            yield payload["text"]
        elif event == "story.completed":
            holder["story"] = payload["story"]
        elif event == "story.image":
            holder.setdefault("images", []).append(payload)
        elif event in ("error", "http_error"):
            holder["error"] = payload
        elif event == "story.started":
            holder["started"] = payload
        elif event == "story.restarted":
            # A block mid-story: the service writes it once more. The text shown so far is discarded (a stream
            # cannot be unwritten here, so the reader is told; the saved story is only what follows).
            holder["restarted"] = payload
            yield "\n\n---\n*(written again: the text above was discarded)*\n\n"


def write_tab() -> None:
    st.subheader("Write a story")
    with st.form("write"):
        prompt = st.text_area("Prompt", value=state().pending_prompt or "")
        left, middle, right = st.columns(3)
        language = left.selectbox("Language", ["(settings)", *LANGUAGES])
        age_group = middle.selectbox("Age group", ["(settings)", *AGE_GROUPS])
        photo = right.file_uploader("Photo (Image & Prompt mode)", type=["jpg", "jpeg", "png", "webp"])
        write = st.form_submit_button("Write story", type="primary")
    if write:
        state().pending_prompt = None
        body: dict[str, Any] = {"prompt": prompt}
        if language != "(settings)":
            body["language"] = language
        if age_group != "(settings)":
            body["age_group"] = age_group
        files = None
        if photo is not None:
            files = {"image": (photo.name, photo.getvalue(), photo.type)}
        holder: dict[str, Any] = {}
        st.markdown("**Story**")
        st.write_stream(story_text_stream(body, files, holder))
        if "error" in holder:
            st.error(json.dumps(holder["error"], ensure_ascii=False))
        if "story" in holder:
            state().last_story = holder["story"]
            st.success(f"Saved: {holder['story']['title']}")
        for image in holder.get("images", []):
            st.image(image["url"], caption=image.get("caption"))
    story = state().last_story
    if story:
        story_actions(story, prefix="last")


def story_actions(story: dict[str, Any], *, prefix: str) -> None:
    with st.expander(f"{story['title']} — {story['language']} · {story['age_group']}", expanded=prefix == "last"):
        st.write(story["text"])
        for image in story.get("images") or []:
            st.image(image["url"], caption=image.get("caption"))
        if story.get("audio"):
            st.audio(story["audio"]["url"])
        columns = st.columns(4)
        if columns[0].button("★ Favorite" if not story.get("favorite") else "☆ Unfavorite", key=f"{prefix}-fav-{story['id']}"):
            method = "DELETE" if story.get("favorite") else "PUT"
            result = client().call(method, f"/v1/stories/{story['id']}/favorite")
            if result.ok:
                st.success("Done")
            else:
                show_error(result)
        if columns[1].button("Narrate", key=f"{prefix}-audio-{story['id']}"):
            result = client().call("POST", f"/v1/stories/{story['id']}/audio")
            if result.ok and result.body.get("url"):
                st.audio(result.body["url"])
            elif result.ok:
                st.info(f"Narration {result.body.get('status')}; press again to check")
            else:
                show_error(result)
        if columns[2].button("Delete", key=f"{prefix}-del-{story['id']}"):
            result = client().call("DELETE", f"/v1/stories/{story['id']}")
            if result.ok:
                forget_story(story["id"])
                st.success("Deleted")
            else:
                show_error(result)


def forget_story(story_id: str) -> None:
    """Drop a deleted story from what the console shows (search results, history, favorites, the last story)."""
    if state().last_story and state().last_story["id"] == story_id:
        state().last_story = None
    for key in ("search_result", "favorites"):
        result: ApiResult | None = state().get(key)
        if result is not None and result.ok:
            result.body["stories"] = [s for s in result.body["stories"] if s["id"] != story_id]
    history: ApiResult | None = state().get("history")
    if history is not None and history.ok:
        for group in history.body["groups"]:
            group["stories"] = [s for s in group["stories"] if s["id"] != story_id]


def history_tab() -> None:
    st.subheader("History")
    with st.form("search"):
        query = st.text_input("Search your stories")
        search = st.form_submit_button("Search")
    if search and query.strip():
        state().search_result = client().call("GET", "/v1/stories/search", params={"q": query})
    found: ApiResult | None = state().get("search_result")
    if found is not None:
        if not found.ok:
            show_error(found)
        else:
            st.caption(f"{len(found.body['stories'])} found")
            for story in found.body["stories"]:
                story_actions(story, prefix="search")
    if st.button("Load history"):
        state().history = client().call("GET", "/v1/stories", params={"limit": 50})
    history: ApiResult | None = state().get("history")
    if history is not None:
        result = history
        if not result.ok:
            show_error(result)
        else:
            for group in result.body["groups"]:
                st.markdown(f"#### {group['label']}")
                for story in group["stories"]:
                    story_actions(story, prefix="history")
    keep = st.checkbox("Keep favorites when clearing", value=True)
    if st.button("Clear history"):
        cleared = client().call("DELETE", "/v1/stories", params={"include_favorites": str(not keep).lower()})
        if cleared.ok:
            st.success(f"Removed {cleared.body['deleted']} stories")
        else:
            show_error(cleared)


def favorites_tab() -> None:
    st.subheader("Favorites")
    if st.button("Load favorites"):
        etag = state().get("favorites_etag")
        result = client().call("GET", "/v1/favorites", headers={"If-None-Match": etag} if etag else None)
        if result.status == 304:
            st.info("Unchanged since the last load (304)")
        else:
            state().favorites = result
            if result.ok:
                state().favorites_etag = result.headers.get("etag")
    result = state().get("favorites")
    if result is not None:
        if not result.ok:
            show_error(result)
        else:
            for story in result.body["stories"]:
                story_actions(story, prefix="fav")


def home_tab() -> None:
    st.subheader("Today's suggestions")
    if st.button("Load suggestions"):
        state().suggestions = client().call("GET", "/v1/prompts/suggestions")
    result: ApiResult | None = state().get("suggestions")
    if result is not None:
        if not result.ok:
            show_error(result)
        elif not result.body.get("enabled", True):
            st.info("Recommendations are off in your settings")
        else:
            st.caption(f"{result.body.get('date')} · {result.body.get('source')}")
            for index, suggestion in enumerate(result.body["prompts"]):
                if st.button(suggestion, key=f"suggestion-{index}"):
                    state().pending_prompt = suggestion
                    st.info("Copied to the Write tab")
    st.subheader("Saved prompts")
    new_prompt = st.text_input("Save a prompt")
    if st.button("Save prompt") and new_prompt.strip():
        saved = client().call(
            "POST",
            "/v1/prompts/saved",
            json={"text": new_prompt, "language": "hi" if any("\u0900" <= c <= "\u097f" for c in new_prompt) else "en"},
        )
        if saved.ok:
            st.success("Saved" if saved.status == 201 else "Already saved")
        else:
            show_error(saved)
    listing = client().call("GET", "/v1/prompts/saved") if st.button("Load saved prompts") else None
    if listing is not None:
        if listing.ok:
            for item in listing.body["prompts"]:
                st.write(f"• {item['text']}")
        else:
            show_error(listing)


def settings_tab() -> None:
    st.subheader("Settings")
    if st.button("Load settings") or "settings" not in state():
        state().settings = client().call("GET", "/v1/me/settings")
        state().genres = client().call("GET", "/v1/genres")
    current: ApiResult = state().settings
    if not current.ok:
        show_error(current)
        return
    values = current.body
    genres: ApiResult = state().genres
    choices: dict[str, str] = {}
    if genres.ok:
        choices = {g["id"]: g["labels"]["en"] for g in genres.body["built_in"]} | {g["id"]: g["name"] for g in genres.body["custom"]}
    language = st.selectbox(
        "Language", list(LANGUAGES), index=list(LANGUAGES).index(values["language"]), format_func=lambda code: LANGUAGES[code]
    )
    age_group = st.selectbox("Age group", AGE_GROUPS, index=AGE_GROUPS.index(values["age_group"]))
    chosen = st.multiselect(
        "Genres", list(choices), default=[g for g in values["genres"] if g in choices], format_func=lambda genre: choices[genre]
    )
    ai_images = st.checkbox("AI images", value=values["ai_images"])
    recommendations = st.checkbox("Daily suggestions", value=values["recommendations_enabled"])
    timezone = st.text_input("Time zone", value=values["timezone"])
    if st.button("Save settings"):
        body = {"language": language, "age_group": age_group, "genres": chosen, "ai_images": ai_images,
                "recommendations_enabled": recommendations, "timezone": timezone}  # fmt: skip
        result = client().call("PUT", "/v1/me/settings", json=body)
        if result.ok:
            state().settings = result
            st.success("Saved")
        else:
            show_error(result)
    new_genre = st.text_input("New custom genre")
    if st.button("Add genre") and new_genre.strip():
        added = client().call("POST", "/v1/genres", json={"name": new_genre})
        if added.ok:
            state().genres = client().call("GET", "/v1/genres")
            st.success(f"Added {added.body['name']}")
        else:
            show_error(added)


def developer_tab() -> None:
    st.subheader("Requests")
    log: list[RequestRecord] = state().log
    for record in reversed(log[-30:]):
        title = f"{record.method} {record.path} → {record.status} · {record.request_id}"
        with st.expander(title):
            cols = st.columns(3)
            cols[0].metric("duration ms", f"{record.duration_ms:.0f}" if record.duration_ms else "—")
            cols[1].metric("time to first token ms", f"{record.ttft_ms:.0f}" if record.ttft_ms else "—")
            rate = record.pieces_per_second
            cols[2].metric("tokens/s", f"{rate:.1f}" if rate else "—")
            if record.error_body is not None:
                st.json(record.error_body)
            if record.events:
                st.code("\n".join(f"event: {name}\ndata: {data}\n" for name, data in record.events), language="text")


def main() -> None:
    st.set_page_config(page_title="StoryScape console", layout="wide")
    init_state()
    sidebar()
    st.title("StoryScape console")
    if state().session is None:
        st.info("Sign up or sign in (sidebar) to use the gateway's API.")
        developer_tab()
        return
    tabs = st.tabs(["Write", "Home", "History", "Favorites", "Settings", "Developer"])
    with tabs[0]:
        write_tab()
    with tabs[1]:
        home_tab()
    with tabs[2]:
        history_tab()
    with tabs[3]:
        favorites_tab()
    with tabs[4]:
        settings_tab()
    with tabs[5]:
        developer_tab()


main()
