"""What the bot answers: knowledge by keywords, workflows driven by followUpId and forms, live-agent hand-off,
the end-of-session survey, and the failures a fixture configures.

Everything is deterministic: the same fixture, session and request give the same answers. The modes follow Aisera
Conversation API, API Overview, FAQ 6 (assumptions A18 to A20): a hand-off queues the user
(`LiveAgentWaitingUpdate`) until the agent joins (`LiveAgentJoined`); the agent's replies are `LiveAgent`, or
`LiveAgentWaiting` / `LiveAgentFileUpload` when they wait for the user's answer or file; a workflow step may end in
`Error` or `ExternalSystemError`; a logout answers the bot's survey (`EndSessionSurvey`). A failure the fixture
configures (a step's `error`, the bot's `failures`) refuses the request with 500 and its ERR code.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from mockserver.problems import Kind, Location, Rejected, RequestError, Violation
from mockserver.vendors.aisera_conversation.fixture import options_of
from mockserver.vendors.aisera_conversation.request import UserRequest
from mockserver.vendors.aisera_conversation.session import Session

__all__ = ["Reply", "current_mode", "respond"]

_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)(?:\|([^{}]*))?\}")


@dataclass
class Reply:
    """The `modeType` and `answers` of a response, what the user said (for the history) and a survey answer."""

    mode: str
    answers: list[dict[str, Any]]
    said: str | None = None
    feedback: dict[str, Any] | None = None


def _words(text: str) -> str:
    """Lower-case words separated by single spaces, padded, so phrases match on whole words."""
    return " " + " ".join(re.findall(r"[a-z0-9]+", text.lower())) + " "


def _score(utterance: str, phrases: list[str]) -> int:
    """How many words of the given phrases occur, as whole phrases, in the utterance."""
    return sum(len(phrase.split()) for phrase in phrases if _words(phrase) in utterance)


def _render(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(_render(item) for item in value)
    return str(value)


def _fill(text: str, values: dict[str, Any]) -> str:
    """Replace `{name}` and `{name|default}` placeholders."""

    def one(match: re.Match[str]) -> str:
        if match.group(1) in values:
            return _render(values[match.group(1)])
        return match.group(2) if match.group(2) is not None else "(not provided)"

    return _PLACEHOLDER.sub(one, text)


def _text(text: str, kind: str = "text") -> dict[str, Any]:
    return {"type": kind, "text": text}


def _choices(choices: list[dict[str, Any]]) -> list[dict[str, str]]:
    return [{"followUpId": choice["id"], "text": choice["text"]} for choice in choices]


def _choice(bot: dict[str, Any], choice_id: str | None) -> tuple[dict[str, Any], str, str] | None:
    """The workflow option or form with this id, with its workflow and step ids."""
    return next(((choice, wf, step) for cid, choice, wf, step in options_of(bot) if cid == choice_id), None)


def _failure(code: str, message: str, field: str) -> Rejected:
    """A failure the fixture configures: 500 with its ERR code, pointing at the request field that caused it."""
    violation = Violation(Location.BODY, "data", ("data", field))
    error = RequestError(Kind.INJECTED_FAULT, message, status=500, violations=(violation,), reason=code)
    return Rejected(error)


def current_mode(session: Session) -> str:
    """The conversation's state when nothing new is said."""
    agent = session.live_agent
    if agent is not None:
        if agent["state"] == "queued":
            return "LiveAgentWaitingUpdate"
        return str(agent.get("awaiting") or "LiveAgent")
    if session.flow and not session.flow["done"]:
        return "FlowInProgress"
    return "Normal"


class _Dialogue:
    """One request against one session."""

    def __init__(self, bot: dict[str, Any], session: Session, request: UserRequest, now: float) -> None:
        self.bot = bot
        self.session = session
        self.request = request
        self.now = now
        self.messages: dict[str, str] = bot["messages"]
        self.agent: dict[str, Any] = bot["live_agent"]

    @property
    def field(self) -> str:
        """The `data` field that drives this request (where a failure points)."""
        if self.request.follow_up_data is not None:
            return "followUpData"
        return "followUpId" if self.request.follow_up_id else "text"

    # -- workflows -----------------------------------------------------------------------------------------------

    def _workflow(self, workflow_id: str) -> dict[str, Any]:
        return next(flow for flow in self.bot["workflows"] if flow["id"] == workflow_id)

    def _values(self) -> dict[str, Any]:
        flow_values = self.session.flow["values"] if self.session.flow else {}
        return {**self.session.session_vars, **flow_values}

    def _step_answer(self, workflow: dict[str, Any], step_id: str, prefix: str = "") -> dict[str, Any]:
        step = workflow["steps"][step_id]
        text = (prefix + " " if prefix else "") + _fill(step["text"], self._values())
        if "options" in step:
            return {"type": "options", "text": text, "options": _choices(step["options"])}
        if "form" in step:
            return {"type": "form", "text": text, "formId": step["form"]["id"], "fields": step["form"]["fields"]}
        return _text(text)

    def _enter(self, workflow: dict[str, Any], trail: list[str], values: dict[str, Any], mode: str) -> Reply:
        """Show the last step of the trail; a step without options or form ends the flow (completed or failed)."""
        step = workflow["steps"][trail[-1]]
        if "error" in step:
            raise _failure(step["error"], _fill(step["text"], self._values()), self.field)
        done = "options" not in step and "form" not in step
        self.session.flow = {"workflow": workflow["id"], "trail": trail, "values": values, "done": done}
        if done:
            mode = step.get("mode", "FlowCompleted")
        return Reply(mode, [self._step_answer(workflow, trail[-1])])

    def _open_flow(self) -> tuple[dict[str, Any], list[str]] | None:
        flow = self.session.flow
        if flow is None or flow["done"]:
            return None
        return self._workflow(flow["workflow"]), flow["trail"]

    def choose(self, follow_up_id: str) -> Reply:
        """An option the user clicked; ids are unique per bot, so any option of any step resolves."""
        if follow_up_id == self.agent["button"]["id"]:
            return self.hand_off()
        survey = self.bot.get("survey") or {"options": []}
        rating = next((choice for choice in survey["options"] if choice["id"] == follow_up_id), None)
        if rating is not None:
            feedback = {"followUpId": rating["id"], "rating": rating["text"]}
            return Reply("Normal", [_text(survey["thanks"])], feedback=feedback)
        found = _choice(self.bot, follow_up_id)
        if found is None or "fields" in found[0]:
            return self.stale()
        option, workflow_id, step_id = found
        flow = self.session.flow
        if flow and flow["workflow"] == workflow_id and flow["trail"][-1] == step_id:
            trail, values = [*flow["trail"], option["next"]], flow["values"]
        else:
            trail, values = [step_id, option["next"]], {}
        return self._enter(self._workflow(workflow_id), trail, values, "FlowInProgress")

    def submit(self, data: dict[str, Any]) -> Reply:
        """A form submit: `followUpData.formId` (or the form of the current step) and its field values."""
        form_id = data.get("formId")
        if not isinstance(form_id, str):
            open_flow = self._open_flow()
            form_id = open_flow[0]["steps"][open_flow[1][-1]].get("form", {}).get("id") if open_flow else None
        found = _choice(self.bot, form_id)
        if found is None or "fields" not in found[0]:
            return self.stale()
        form, workflow_id, step_id = found
        workflow = self._workflow(workflow_id)
        flow = self.session.flow
        same = flow is not None and flow["workflow"] == workflow_id and flow["trail"][-1] == step_id
        trail = flow["trail"] if flow is not None and same else [step_id]
        values = dict(flow["values"]) if flow is not None and same else {}
        submitted = data.get("formFieldValues") or {}
        invalid = [field["label"] for field in form["fields"] if not _valid(field, submitted.get(field["name"]))]
        if invalid:
            self.session.flow = {"workflow": workflow_id, "trail": trail, "values": values, "done": False}
            prefix = f"{self.messages['form_incomplete']} {', '.join(invalid)}."
            return Reply("FlowInProgress", [self._step_answer(workflow, step_id, prefix)])
        values.update({name: value for name, value in submitted.items() if value is not None})
        return self._enter(workflow, [*trail, form["next"]], values, "FlowInProgress")

    def start_over(self) -> Reply:
        """Restart the latest workflow from its first step."""
        if self.session.flow is None:
            return Reply("Normal", [_text(self.messages["greeting"])])
        workflow = self._workflow(self.session.flow["workflow"])
        return self._enter(workflow, [workflow["start"]], {}, "FlowStarted")

    def go_back(self) -> Reply:
        """Return to the previous step of the latest workflow (also after it completed)."""
        flow = self.session.flow
        if flow is None:
            return Reply("Normal", [_text(self.messages["nothing_to_go_back"])])
        trail = flow["trail"][:-1] or flow["trail"]
        return self._enter(self._workflow(flow["workflow"]), trail, flow["values"], "FlowInProgress")

    def stale(self) -> Reply:
        """An unknown option or form: say so, and show the open step again if a flow is running."""
        open_flow = self._open_flow()
        if open_flow is None:
            return Reply("Normal", [_text(self.messages["stale_option"])])
        answer = self._step_answer(open_flow[0], open_flow[1][-1], self.messages["stale_option"])
        return Reply("FlowInProgress", [answer])

    # -- utterances ----------------------------------------------------------------------------------------------

    def no_answer(self) -> dict[str, Any]:
        """The bot's "no answer" reply, offering the live-agent button."""
        return {"type": "options", "text": self.messages["no_answer"], "options": _choices([self.agent["button"]])}

    def say(self, text: str) -> Reply:
        """A typed utterance: live-agent trigger, an option of the open step, or the best keyword match."""
        understanding = self.bot.get("failures", {}).get("understanding")
        if understanding is not None:
            raise _failure(understanding["error"], understanding["message"], "text")
        utterance = _words(text)
        if _score(utterance, self.agent["triggers"]):
            return self.hand_off()
        open_flow = self._open_flow()
        if open_flow is not None:
            step = open_flow[0]["steps"][open_flow[1][-1]]
            for option in step.get("options", []):
                if _words(option["text"]) == utterance:
                    return self.choose(option["id"])
        entries: list[dict[str, Any]] = [*self.bot["workflows"], *self.bot["knowledge"]]
        scored = [(_score(utterance, entry["keywords"]), entry) for entry in entries]
        score, best = max(scored, key=lambda pair: pair[0], default=(0, {}))
        if score == 0:
            if open_flow is None:
                return Reply("Normal", [self.no_answer()])
            return Reply("FlowInProgress", [self.no_answer(), self._step_answer(open_flow[0], open_flow[1][-1])])
        if "steps" in best:
            return self._enter(best, [best["start"]], {}, "FlowStarted")
        self.session.flow = None
        return Reply("Normal", [_text(_fill(best["answer"], self._values()))])

    # -- live agent ----------------------------------------------------------------------------------------------

    def hand_off(self) -> Reply:
        """Queue the user for a live agent (any running flow is abandoned), unless the live-agent system fails."""
        failure = self.bot.get("failures", {}).get("live_agent")
        if failure is not None:
            raise _failure(failure["error"], failure["message"], self.field)
        self.session.flow = None
        self.session.live_agent = {"state": "queued", "since": self.now, "replies": 0, "awaiting": None}
        return Reply("LiveAgentWaitingUpdate", [_text(self.agent["queued"])])

    def with_agent(self, text: str) -> Reply:
        """A turn while a live agent is involved: queue updates, the join, the agent's replies, the exit."""
        state = self.session.live_agent
        assert state is not None
        names = {"agent": self.agent["agent_name"]}
        if text and _score(_words(text), self.agent["end_phrases"]):
            self.session.live_agent = None
            return Reply("LiveAgentExited", [_text(_fill(self.agent["exited"], names))])
        if state["state"] == "queued":
            remaining = float(self.agent["join_after_seconds"]) - (self.now - float(state["since"]))
            if remaining > 0:
                update = _fill(self.agent["queue_update"], {"seconds": math.ceil(remaining)})
                return Reply("LiveAgentWaitingUpdate", [_text(update)])
            state["state"] = "joined"
            return Reply("LiveAgentJoined", [_text(_fill(self.agent["joined"], names))])
        if not text:
            return Reply(current_mode(self.session), [])
        replies: list[Any] = self.agent["replies"]
        reply = replies[int(state["replies"]) % len(replies)]
        reply = reply if isinstance(reply, dict) else {"text": reply, "mode": "LiveAgent"}
        state["replies"] = int(state["replies"]) + 1
        state["awaiting"] = reply["mode"] if reply["mode"] != "LiveAgent" else None
        kind = "fileUpload" if reply["mode"] == "LiveAgentFileUpload" else "text"
        return Reply(reply["mode"], [_text(reply["text"], kind)])

    # -- session end ---------------------------------------------------------------------------------------------

    def logout(self) -> Reply:
        """Finish the session; the bot's end-of-session survey comes with the goodbye when it has one."""
        self.session.ended, self.session.live_agent = True, None
        goodbye = _text(self.messages["logout"])
        survey = self.bot.get("survey")
        if survey is None:
            return Reply("Normal", [goodbye])
        rating = {**_text(survey["text"], "survey"), "options": _choices(survey["options"])}
        return Reply("EndSessionSurvey", [goodbye, rating])


def _valid(field: dict[str, Any], value: Any) -> bool:
    """Whether a submitted form value fills a field (required fields must be present)."""
    if value is None or value == "" or value == []:
        return not field["required"]
    kind = field["type"]
    if kind == "number":
        return (isinstance(value, int | float) and not isinstance(value, bool)) or _is_number(value)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "select":
        return value in field.get("choices", [value])
    if kind == "multiselect":
        values = value if isinstance(value, list) else [value]
        return all(item in field.get("choices", values) for item in values)
    return isinstance(value, str)


def _is_number(value: Any) -> bool:
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return True


def _said(reply: Reply, said: str | None) -> Reply:
    reply.said = said
    return reply


def respond(bot: dict[str, Any], session: Session, request: UserRequest, now: float) -> Reply:
    """The reply to one request (what the user said is kept in `Reply.said` for the history).

    Precedence: isReset, isLogout, a history-only request, a live agent's turn, isStartOver, isGoBack, a form
    submit (followUpData), a clicked option (followUpId), typed text, and the greeting for an empty request.
    """
    if request.reset:
        return Reply("Normal", [_text(bot["messages"]["reset"])])
    dialogue = _Dialogue(bot, session, request, now)
    if request.logout:
        return dialogue.logout()
    if request.history_only:
        return Reply(current_mode(session), [])
    clicked = _option_text(bot, request.follow_up_id) if request.follow_up_id else None
    if session.live_agent is not None:
        return _said(dialogue.with_agent(request.text), request.text or clicked)
    if request.start_over:
        return _said(dialogue.start_over(), "Start over")
    if request.go_back:
        return _said(dialogue.go_back(), "Go back")
    if request.follow_up_data is not None:
        return _said(dialogue.submit(request.follow_up_data), "(form submitted)")
    if request.follow_up_id:
        return _said(dialogue.choose(request.follow_up_id), clicked)
    if request.text:
        return _said(dialogue.say(request.text), request.text)
    return Reply("Normal", [_text(bot["messages"]["greeting"])])


def _option_text(bot: dict[str, Any], follow_up_id: str) -> str:
    """The label of the option a user clicked (its id when unknown)."""
    choices = [bot["live_agent"]["button"], *bot.get("survey", {}).get("options", [])]
    choices += [choice for _, choice, _, _ in options_of(bot) if "text" in choice]
    return str(next((choice["text"] for choice in choices if choice["id"] == follow_up_id), follow_up_id))
