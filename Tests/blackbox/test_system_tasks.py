"""System tasks, black-box: task lists, inputs/outputs and failure paths as system-tasks.md describes them."""
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from conductor.client.http.models.start_workflow_request import StartWorkflowRequest
from conductor.client.workflow.task.do_while_task import DoWhileTask, LoopTask
from conductor.client.workflow.task.dynamic_task import DynamicTask
from conductor.client.workflow.task.fork_task import ForkTask
from conductor.client.workflow.task.http_task import HttpInput, HttpMethod, HttpTask
from conductor.client.workflow.task.human_task import HumanTask
from conductor.client.workflow.task.inline import InlineTask
from conductor.client.workflow.task.join_task import JoinTask
from conductor.client.workflow.task.json_jq_task import JsonJQTask
from conductor.client.workflow.task.set_variable_task import SetVariableTask
from conductor.client.workflow.task.simple_task import SimpleTask
from conductor.client.workflow.task.start_workflow_task import StartWorkflowTask
from conductor.client.workflow.task.switch_task import SwitchTask
from conductor.client.workflow.task.terminate_task import TerminateTask, WorkflowStatus
from conductor.client.workflow.task.wait_task import WaitForDurationTask, WaitTask

from execution_support import (complete, get_wf, poll_until, register_taskdefs, register_workflow, start, taskdef,
                               wait_status, wait_until, wf_def)
from systask_support import (LocalHTTP, build, by_ref, ordered, run, summary, terminate, update_by_ref, wt)


def inline(ref, script, **inputs):
    t = InlineTask(ref, script, bindings=inputs or None)
    return t


def js_inline(ref, script, **inputs):
    """INLINE with evaluatorType javascript (the SDK class uses graaljs)."""
    d = wt(InlineTask(ref, script, bindings=inputs or None))
    d["inputParameters"]["evaluatorType"] = "javascript"
    return d


def make_def(clients, name, *tasks, **fields):
    """Like build() but accepts SDK tasks and plain dicts."""
    out = []
    for t in tasks:
        if isinstance(t, dict):
            out.append(t)
        else:
            conv = wt(t)
            out.extend(conv if isinstance(conv, list) else [conv])
    d = build(clients, name)
    d["tasks"] = out
    d.update(fields)
    return d


def types_of(wf):
    return [(t["referenceTaskName"], t["taskType"], t["taskDefName"], t["status"]) for t in ordered(wf)]


# ============================================================================ SWITCH

def _switch_def(clients, name):
    sw = SwitchTask("sw", "${workflow.input.kind}")
    sw.switch_case("a", [inline("a1", "'A'")])
    sw.switch_case("b", [inline("b1", "'B1'"), inline("b2", "$.prev + '+B2'", prev="${b1.output.result}")])
    sw.switch_case("null", [inline("n1", "'was null'")])
    sw.default_case([inline("d1", "'D'")])
    after = inline("after", "'after:' + $.x", x="${sw.output.selectedCase}")
    return make_def(clients, name, sw, after)


def test_switch_value_param_branch_then_successor(clients, unique):
    d = _switch_def(clients, unique("sw_vp"))
    register_workflow(clients.api, d)
    wid = start(clients.api, d["name"], {"kind": "b"})
    wf = wait_status(clients.api, wid, "COMPLETED")
    assert types_of(wf) == [
        ("sw", "SWITCH", "SWITCH", "COMPLETED"),
        ("b1", "INLINE", "b1", "COMPLETED"),
        ("b2", "INLINE", "b2", "COMPLETED"),
        ("after", "INLINE", "after", "COMPLETED"),
    ], summary(wf)
    sw = by_ref(wf, "sw")
    assert sw["inputData"] == {"switchCaseValue": "b", "case": "b", "hasChildren": "true"}, sw["inputData"]
    assert sw["outputData"] == {"evaluationResult": ["b"], "selectedCase": "b"}, sw["outputData"]
    assert by_ref(wf, "b2")["outputData"] == {"result": "B1+B2"}
    assert wf["output"] == {"result": "after:b"}


def test_switch_default_case_and_null_case(clients, unique):
    d = _switch_def(clients, unique("sw_def"))
    register_workflow(clients.api, d)
    wid = start(clients.api, d["name"], {"kind": "zzz"})
    wf = wait_status(clients.api, wid, "COMPLETED")
    assert [t["referenceTaskName"] for t in ordered(wf)] == ["sw", "d1", "after"], summary(wf)
    assert by_ref(wf, "sw")["outputData"] == {"evaluationResult": ["zzz"], "selectedCase": "zzz"}
    assert by_ref(wf, "sw")["inputData"]["case"] == "zzz"

    # Missing input -> null -> case key "null".
    wid = start(clients.api, d["name"], {})
    wf = wait_status(clients.api, wid, "COMPLETED")
    assert [t["referenceTaskName"] for t in ordered(wf)] == ["sw", "n1", "after"], summary(wf)
    assert by_ref(wf, "sw")["outputData"]["selectedCase"] == "null"


@pytest.mark.parametrize("evaluator", ["javascript", "graaljs"])
def test_switch_javascript_number_and_empty_case(clients, unique, evaluator):
    sw = SwitchTask("sw", "$.n * 2 + ($.big ? 100 : 0)", use_javascript=True)
    sw.input_parameter("n", "${workflow.input.n}").input_parameter("big", "${workflow.input.big}")
    sw.switch_case("4", [inline("four", "'four'")])
    sw.switch_case("102", [])  # empty list: runs nothing, does NOT fall back to default
    sw.default_case([inline("dflt", "'default'")])
    d = make_def(clients, unique("sw_js"), sw, inline("tail", "'tail'"))
    d["tasks"][0]["evaluatorType"] = evaluator
    register_workflow(clients.api, d)

    wf = wait_status(clients.api, start(clients.api, d["name"], {"n": 2, "big": False}), "COMPLETED")
    assert [t["referenceTaskName"] for t in ordered(wf)] == ["sw", "four", "tail"], summary(wf)
    sw_t = by_ref(wf, "sw")
    assert sw_t["outputData"] == {"evaluationResult": ["4"], "selectedCase": "4"}
    assert sw_t["inputData"] == {"n": 2, "big": False, "case": "4", "hasChildren": "true"}

    wf = wait_status(clients.api, start(clients.api, d["name"], {"n": 1, "big": True}), "COMPLETED")
    assert [t["referenceTaskName"] for t in ordered(wf)] == ["sw", "tail"], summary(wf)
    sw_t = by_ref(wf, "sw")
    assert sw_t["outputData"]["selectedCase"] == "102"
    assert "hasChildren" not in sw_t["inputData"], sw_t["inputData"]

    wf = wait_status(clients.api, start(clients.api, d["name"], {"n": 7, "big": False}), "COMPLETED")
    assert [t["referenceTaskName"] for t in ordered(wf)] == ["sw", "dflt", "tail"], summary(wf)


def test_switch_nested(clients, unique):
    inner = SwitchTask("inner", "${workflow.input.y}")
    inner.switch_case("y1", [inline("y1_task", "'y1'")])
    inner.default_case([inline("y_default", "'yd'")])
    outer = SwitchTask("outer", "${workflow.input.x}")
    outer.switch_case("x1", [inline("x1_head", "'x1'"), inner, inline("x1_tail", "'x1 tail'")])
    outer.default_case([inline("x_default", "'xd'")])
    d = make_def(clients, unique("sw_nested"), outer, inline("end", "'end'"))
    register_workflow(clients.api, d)
    wf = wait_status(clients.api, start(clients.api, d["name"], {"x": "x1", "y": "y1"}), "COMPLETED")
    assert types_of(wf) == [
        ("outer", "SWITCH", "SWITCH", "COMPLETED"),
        ("x1_head", "INLINE", "x1_head", "COMPLETED"),
        ("inner", "SWITCH", "SWITCH", "COMPLETED"),
        ("y1_task", "INLINE", "y1_task", "COMPLETED"),
        ("x1_tail", "INLINE", "x1_tail", "COMPLETED"),
        ("end", "INLINE", "end", "COMPLETED"),
    ], summary(wf)
    wf = wait_status(clients.api, start(clients.api, d["name"], {"x": "x1", "y": "other"}), "COMPLETED")
    assert [t["referenceTaskName"] for t in ordered(wf)] == ["outer", "x1_head", "inner", "y_default", "x1_tail",
                                                              "end"], summary(wf)


def test_switch_waits_for_worker_in_branch(clients, unique):
    tname = unique("sw_worker")
    register_taskdefs(clients.api, taskdef(tname))
    sw = SwitchTask("sw", "${workflow.input.kind}")
    sw.switch_case("w", [SimpleTask(tname, "w1")])
    d = make_def(clients, unique("sw_w"), sw, inline("after", "'after'"))
    register_workflow(clients.api, d)
    wid = start(clients.api, d["name"], {"kind": "w"})
    wf = get_wf(clients.api, wid)
    assert [(t["referenceTaskName"], t["status"]) for t in ordered(wf)] == [("sw", "COMPLETED"), ("w1", "SCHEDULED")]
    task = poll_until(clients.api, tname)
    complete(clients.api, task, {"v": 1})
    wf = wait_status(clients.api, wid, "COMPLETED")
    assert [t["referenceTaskName"] for t in ordered(wf)] == ["sw", "w1", "after"]


def test_switch_script_error_fails_workflow(clients, unique):
    sw = SwitchTask("sw", "$.missing.deeper.value", use_javascript=True)
    sw.switch_case("x", [inline("x1", "1")])
    d = make_def(clients, unique("sw_err"), sw, inline("after", "1"))
    register_workflow(clients.api, d)
    wf = wait_status(clients.api, start(clients.api, d["name"], {}), "FAILED")
    sw_t = by_ref(wf, "sw")
    assert sw_t["status"] == "FAILED", summary(wf)
    assert "Error evaluating the script" in (sw_t.get("reasonForIncompletion") or ""), sw_t.get("reasonForIncompletion")
    assert sw_t["taskId"] in wf["reasonForIncompletion"], wf["reasonForIncompletion"]
    assert [t["referenceTaskName"] for t in ordered(wf)] == ["sw"]


def test_switch_unknown_evaluator(clients, unique):
    d = wf_def(unique("sw_unknown_eval"), [
        {"name": "sw", "taskReferenceName": "sw", "type": "SWITCH", "evaluatorType": "cobol", "expression": "x",
         "inputParameters": {"x": "a"}, "decisionCases": {"a": [js_inline("a1", "1")]}, "defaultCase": []}])
    r = requests.post(f"{clients.api}/metadata/workflow", json=d, params={"overwrite": "true"}, timeout=30)
    if r.status_code == 400:
        # Rejecting at registration is acceptable as long as the message names the evaluator.
        assert "cobol" in r.text, r.text
        return
    assert r.status_code == 200, r.text
    wf = wait_status(clients.api, start(clients.api, d["name"], {}), "FAILED")
    assert "No evaluator registered for type: cobol" in (wf["reasonForIncompletion"] or ""), wf["reasonForIncompletion"]


# ============================================================================ DECISION

def _decision(ref, cases, default, **fields):
    d = {"name": ref, "taskReferenceName": ref, "type": "DECISION", "decisionCases": cases, "defaultCase": default,
         "inputParameters": fields.pop("inputParameters", {})}
    d.update(fields)
    return d


def test_decision_case_value_param(clients, unique):
    dec = _decision("dec", {"x": [js_inline("x1", "'X'")], "empty": []}, [js_inline("dflt", "'D'")],
                    caseValueParam="v", inputParameters={"v": "${workflow.input.v}"})
    d = wf_def(unique("dec_vp"), [dec, js_inline("after", "'after'")])
    register_workflow(clients.api, d)
    wf = wait_status(clients.api, start(clients.api, d["name"], {"v": "x"}), "COMPLETED")
    assert types_of(wf) == [("dec", "DECISION", "DECISION", "COMPLETED"), ("x1", "INLINE", "x1", "COMPLETED"),
                            ("after", "INLINE", "after", "COMPLETED")], summary(wf)
    t = by_ref(wf, "dec")
    assert t["outputData"] == {"caseOutput": ["x"]}, t["outputData"]
    assert t["inputData"]["case"] == "x" and t["inputData"]["v"] == "x", t["inputData"]
    assert t["inputData"].get("hasChildren") == "true", t["inputData"]
    # Unlike SWITCH, an empty case list falls back to defaultCase.
    wf = wait_status(clients.api, start(clients.api, d["name"], {"v": "empty"}), "COMPLETED")
    assert [t["referenceTaskName"] for t in ordered(wf)] == ["dec", "dflt", "after"], summary(wf)
    assert by_ref(wf, "dec")["outputData"] == {"caseOutput": ["empty"]}


def test_decision_case_expression_and_error(clients, unique):
    dec = _decision("dec", {"true": [js_inline("big", "'big'")], "false": [js_inline("small", "'small'")]}, [],
                    caseExpression="$.n > 10", inputParameters={"n": "${workflow.input.n}"})
    d = wf_def(unique("dec_expr"), [dec])
    register_workflow(clients.api, d)
    wf = wait_status(clients.api, start(clients.api, d["name"], {"n": 11}), "COMPLETED")
    assert [t["referenceTaskName"] for t in ordered(wf)] == ["dec", "big"], summary(wf)
    assert by_ref(wf, "dec")["outputData"] == {"caseOutput": ["true"]}
    wf = wait_status(clients.api, start(clients.api, d["name"], {"n": 1}), "COMPLETED")
    assert [t["referenceTaskName"] for t in ordered(wf)] == ["dec", "small"], summary(wf)

    bad = _decision("dec", {"a": [js_inline("a1", "1")]}, [], caseExpression="$.nope.deeper.x")
    d2 = wf_def(unique("dec_bad"), [bad])
    register_workflow(clients.api, d2)
    wf = wait_status(clients.api, start(clients.api, d2["name"], {}), "FAILED")
    assert "Error while evaluating script: $.nope.deeper.x" in (wf["reasonForIncompletion"] or ""), \
        wf["reasonForIncompletion"]


# ============================================================================ FORK_JOIN / JOIN

def test_fork_join_creates_branch_heads_and_join_output(clients, unique):
    ta, tb = unique("fk_a"), unique("fk_b")
    register_taskdefs(clients.api, taskdef(ta), taskdef(tb))
    fork = ForkTask("fork", [[SimpleTask(ta, "a1"), inline("a2", "$.v * 2", v="${a1.output.v}")],
                             [SimpleTask(tb, "b1")]])
    fork.input_parameter("fk_in", "${workflow.input.z}")
    join = JoinTask("join", join_on=["a2", "b1"])
    d = make_def(clients, unique("fork"), fork, join, inline("after", "$.j", j="${join.output}"))
    register_workflow(clients.api, d)
    wid = start(clients.api, d["name"], {"z": 9})
    wf = get_wf(clients.api, wid)
    assert types_of(wf) == [("fork", "FORK", "FORK", "COMPLETED"), ("a1", ta, ta, "SCHEDULED"),
                            ("b1", tb, tb, "SCHEDULED"), ("join", "JOIN", "JOIN", "IN_PROGRESS")], summary(wf)
    assert by_ref(wf, "fork")["inputData"] == {"fk_in": 9}
    assert by_ref(wf, "fork")["outputData"] == {}
    assert by_ref(wf, "join")["inputData"] == {"joinOn": ["a2", "b1"]}

    complete(clients.api, poll_until(clients.api, ta), {"v": 21})
    wf = get_wf(clients.api, wid)
    assert by_ref(wf, "a2")["status"] == "COMPLETED" and by_ref(wf, "join")["status"] == "IN_PROGRESS", summary(wf)
    assert wf["status"] == "RUNNING"
    complete(clients.api, poll_until(clients.api, tb), {"b": "bee"})
    wf = wait_status(clients.api, wid, "COMPLETED")
    join_t = by_ref(wf, "join")
    assert join_t["status"] == "COMPLETED"
    assert join_t["outputData"] == {"a2": {"result": 42}, "b1": {"b": "bee"}}, join_t["outputData"]
    assert [t["referenceTaskName"] for t in ordered(wf)][-1] == "after"
    assert wf["output"] == {"result": {"a2": {"result": 42}, "b1": {"b": "bee"}}}


def test_fork_branch_failure_cancels_the_rest(clients, unique):
    ta, tb = unique("fkf_a"), unique("fkf_b")
    register_taskdefs(clients.api, taskdef(ta), taskdef(tb))
    d = make_def(clients, unique("fork_fail"), ForkTask("fork", [[SimpleTask(ta, "a1")], [SimpleTask(tb, "b1")]]),
                 JoinTask("join", join_on=["a1", "b1"]))
    register_workflow(clients.api, d)
    wid = start(clients.api, d["name"])
    task = poll_until(clients.api, ta)
    complete(clients.api, task, {}, status="FAILED", reasonForIncompletion="branch a broke")
    wf = wait_status(clients.api, wid, "FAILED")
    assert by_ref(wf, "a1")["status"] == "FAILED"
    assert by_ref(wf, "b1")["status"] == "CANCELED", summary(wf)
    assert by_ref(wf, "join")["status"] == "CANCELED", summary(wf)
    assert "branch a broke" in wf["reasonForIncompletion"]
    assert wf["reasonForIncompletion"].startswith(f"Task {task['taskId']} failed with status: FAILED"), \
        wf["reasonForIncompletion"]


def test_fork_optional_branch_failure_completes_with_errors(clients, unique):
    ta, tb = unique("fko_a"), unique("fko_b")
    register_taskdefs(clients.api, taskdef(ta), taskdef(tb))
    a = SimpleTask(ta, "a1")
    a.optional = True
    d = make_def(clients, unique("fork_opt"), ForkTask("fork", [[a], [SimpleTask(tb, "b1")]]),
                 JoinTask("join", join_on=["a1", "b1"]), inline("after", "'ok'"))
    register_workflow(clients.api, d)
    wid = start(clients.api, d["name"])
    complete(clients.api, poll_until(clients.api, ta), {}, status="FAILED", reasonForIncompletion="optional fail")
    wf = get_wf(clients.api, wid)
    assert wf["status"] == "RUNNING", summary(wf)
    assert by_ref(wf, "a1")["status"] == "COMPLETED_WITH_ERRORS", summary(wf)
    complete(clients.api, poll_until(clients.api, tb), {"b": 1})
    wf = wait_status(clients.api, wid, "COMPLETED")
    assert by_ref(wf, "join")["status"] == "COMPLETED_WITH_ERRORS", summary(wf)
    assert by_ref(wf, "after")["status"] == "COMPLETED"


def test_fork_permissive_branch_fails_join_only_when_all_terminal(clients, unique):
    ta, tb = unique("fkp_a"), unique("fkp_b")
    register_taskdefs(clients.api, taskdef(ta), taskdef(tb))
    d = make_def(clients, unique("fork_perm"), ForkTask("fork", [[SimpleTask(ta, "a1")], [SimpleTask(tb, "b1")]]),
                 JoinTask("join", join_on=["a1", "b1"]))
    d["tasks"][0]["forkTasks"][0][0]["permissive"] = True
    register_workflow(clients.api, d)
    wid = start(clients.api, d["name"])
    complete(clients.api, poll_until(clients.api, ta), {}, status="FAILED", reasonForIncompletion="permissive fail")
    wf = get_wf(clients.api, wid)
    assert wf["status"] == "RUNNING", summary(wf)
    assert by_ref(wf, "join")["status"] == "IN_PROGRESS" and by_ref(wf, "b1")["status"] in ("SCHEDULED", "IN_PROGRESS")
    complete(clients.api, poll_until(clients.api, tb), {"b": 1})
    wf = wait_status(clients.api, wid, "FAILED")
    assert by_ref(wf, "join")["status"] == "FAILED", summary(wf)
    assert "permissive fail" in (by_ref(wf, "join")["reasonForIncompletion"] or "")


def test_fork_join_on_subset_waits_for_unjoined_branch(clients, unique):
    ta, tb = unique("fks_a"), unique("fks_b")
    register_taskdefs(clients.api, taskdef(ta), taskdef(tb))
    d = make_def(clients, unique("fork_subset"), ForkTask("fork", [[SimpleTask(ta, "a1")], [SimpleTask(tb, "b1")]]),
                 JoinTask("join", join_on=["a1"]), inline("after", "'after'"))
    register_workflow(clients.api, d)
    wid = start(clients.api, d["name"])
    complete(clients.api, poll_until(clients.api, ta), {"a": 1})
    wf = get_wf(clients.api, wid)
    assert by_ref(wf, "join")["status"] == "COMPLETED" and by_ref(wf, "join")["outputData"] == {"a1": {"a": 1}}
    assert by_ref(wf, "after")["status"] == "COMPLETED", summary(wf)
    assert wf["status"] == "RUNNING", "b1 is still open, the workflow cannot complete"
    complete(clients.api, poll_until(clients.api, tb), {"b": 1})
    wait_status(clients.api, wid, "COMPLETED")


def test_nested_forks_and_empty_join(clients, unique):
    inner = ForkTask("inner_fork", [[inline("i1", "'i1'")], [inline("i2", "'i2'")]])
    outer = ForkTask("outer_fork", [[inline("o1", "'o1'")],
                                    [inner, JoinTask("inner_join", join_on=["i1", "i2"])]])
    d = make_def(clients, unique("fork_nested"), outer, JoinTask("outer_join", join_on=["o1", "inner_join"]),
                 ForkTask("f3", [[inline("x", "1")]]), JoinTask("empty_join", join_on=[]))
    register_workflow(clients.api, d)
    wf = wait_status(clients.api, start(clients.api, d["name"]), "COMPLETED")
    assert all(t["status"] == "COMPLETED" for t in wf["tasks"]), summary(wf)
    refs = [t["referenceTaskName"] for t in ordered(wf)]
    assert refs.index("outer_fork") < refs.index("inner_fork") < refs.index("inner_join") < refs.index("outer_join")
    assert by_ref(wf, "inner_fork")["taskType"] == "FORK" and by_ref(wf, "inner_join")["taskType"] == "JOIN"
    assert by_ref(wf, "inner_join")["outputData"] == {"i1": {"result": "i1"}, "i2": {"result": "i2"}}
    assert by_ref(wf, "outer_join")["outputData"] == {"o1": {"result": "o1"},
                                                      "inner_join": {"i1": {"result": "i1"}, "i2": {"result": "i2"}}}
    assert by_ref(wf, "empty_join")["outputData"] == {}


def test_fork_without_join_is_rejected_or_fails(clients, unique):
    d = make_def(clients, unique("fork_nojoin"), ForkTask("fork", [[inline("a", "1")]]), inline("b", "2"))
    r = requests.post(f"{clients.api}/metadata/workflow", json=d, params={"overwrite": "true"}, timeout=30)
    if r.status_code == 400:
        assert "join" in r.text.lower(), r.text
        return
    assert r.status_code == 200, r.text
    wf = wait_status(clients.api, start(clients.api, d["name"]), "FAILED")
    assert "Fork task definition is not followed by a join task" in wf["reasonForIncompletion"]


# ============================================================================ EXCLUSIVE_JOIN

def test_exclusive_join_takes_chosen_branch_output(clients, unique):
    tname = unique("xj_worker")
    register_taskdefs(clients.api, taskdef(tname))
    sw = SwitchTask("sw", "${workflow.input.kind}")
    sw.switch_case("a", [inline("a1", "({picked: 'a'})")])
    sw.switch_case("b", [SimpleTask(tname, "b1")])
    xj = {"name": "xj", "taskReferenceName": "xj", "type": "EXCLUSIVE_JOIN", "joinOn": ["a1", "b1"],
          "inputParameters": {}}
    d = make_def(clients, unique("xjoin"), sw, xj, inline("after", "$.o", o="${xj.output}"))
    register_workflow(clients.api, d)

    wf = wait_status(clients.api, start(clients.api, d["name"], {"kind": "a"}), "COMPLETED")
    assert types_of(wf)[-2:] == [("xj", "EXCLUSIVE_JOIN", "EXCLUSIVE_JOIN", "COMPLETED"),
                                 ("after", "INLINE", "after", "COMPLETED")], summary(wf)
    assert by_ref(wf, "xj")["outputData"] == {"result": {"picked": "a"}}

    wid = start(clients.api, d["name"], {"kind": "b"})
    complete(clients.api, poll_until(clients.api, tname), {"picked": "b"})
    wf = wait_status(clients.api, wid, "COMPLETED")
    assert by_ref(wf, "xj")["outputData"] == {"picked": "b"}
    assert wf["output"] == {"result": {"picked": "b"}}


# ============================================================================ DO_WHILE

def test_do_while_iterations_refs_and_output(clients, unique):
    tname = unique("dw_worker")
    register_taskdefs(clients.api, taskdef(tname))
    loop = LoopTask("loop", 2, [SimpleTask(tname, "w"), inline("calc", "$.it * 10", it="${loop.output.iteration}")])
    d = make_def(clients, unique("dowhile"), loop, inline("after", "$.last", last="${calc.output.result}"))
    register_workflow(clients.api, d)
    wid = start(clients.api, d["name"])
    wf = get_wf(clients.api, wid)
    assert [(t["referenceTaskName"], t["taskType"], t["status"]) for t in ordered(wf)] == [
        ("loop", "DO_WHILE", "IN_PROGRESS"), ("w__1", tname, "SCHEDULED")], summary(wf)
    # (OSS also records the partial iteration map "1" while it runs; only `iteration` is checked here.)
    assert by_ref(wf, "loop")["outputData"]["iteration"] == 1
    assert by_ref(wf, "loop")["taskDefName"] == "loop"
    assert by_ref(wf, "w__1")["iteration"] == 1

    complete(clients.api, poll_until(clients.api, tname), {"round": 1})
    wf = get_wf(clients.api, wid)
    assert by_ref(wf, "calc__1")["outputData"] == {"result": 10}
    assert by_ref(wf, "w__2")["status"] == "SCHEDULED" and by_ref(wf, "w__2")["iteration"] == 2, summary(wf)
    assert by_ref(wf, "loop")["outputData"]["iteration"] == 2
    complete(clients.api, poll_until(clients.api, tname), {"round": 2})
    wf = wait_status(clients.api, wid, "COMPLETED")
    assert [t["referenceTaskName"] for t in ordered(wf)] == ["loop", "w__1", "calc__1", "w__2", "calc__2", "after"]
    assert by_ref(wf, "calc__2")["iteration"] == 2
    assert by_ref(wf, "loop")["outputData"] == {
        "iteration": 2,
        "1": {"w": {"round": 1}, "calc": {"result": 10}},
        "2": {"w": {"round": 2}, "calc": {"result": 20}},
    }, by_ref(wf, "loop")["outputData"]
    assert wf["output"] == {"result": 20}, "expressions reach body tasks by base ref (latest iteration)"


def test_do_while_condition_from_input_and_keep_last_n(clients, unique):
    loop = DoWhileTask("loop", "if ($.loop['iteration'] < $.max) { true; } else { false; }",
                       [inline("body", "$.i", i="${loop.output.iteration}")])
    loop.input_parameter("max", "${workflow.input.max}").input_parameter("keepLastN", 2)
    d = make_def(clients, unique("dw_keep"), loop)
    register_workflow(clients.api, d)
    wf = wait_status(clients.api, start(clients.api, d["name"], {"max": 5}), "COMPLETED")
    lo = by_ref(wf, "loop")
    assert lo["status"] == "COMPLETED" and lo["outputData"]["iteration"] == 5
    assert set(lo["outputData"]) == {"iteration", "4", "5"}, lo["outputData"]
    assert lo["outputData"]["5"] == {"body": {"result": 5}}
    assert sorted(t["referenceTaskName"] for t in wf["tasks"]) == ["body__4", "body__5", "loop"], summary(wf)


def test_do_while_items_iteration(clients, unique):
    loop = DoWhileTask("loop", "", [inline("body", "$.item + '#' + $.idx", item="${loop.output.loopItem}",
                                           idx="${loop.output.loopIndex}")])
    loop.input_parameter("_items", "${workflow.input.list}")
    d = make_def(clients, unique("dw_items"), loop)
    d["tasks"][0]["loopCondition"] = "true"
    register_workflow(clients.api, d)
    wf = wait_status(clients.api, start(clients.api, d["name"], {"list": ["a", "b", "c"]}), "COMPLETED")
    out = by_ref(wf, "loop")["outputData"]
    assert out["iteration"] == 3 and out["loopIndex"] == 2 and out["loopItem"] == "c", out
    assert [by_ref(wf, f"body__{i}")["outputData"]["result"] for i in (1, 2, 3)] == ["a#0", "b#1", "c#2"]
    assert out["2"] == {"body": {"result": "b#1"}}

    wf = wait_status(clients.api, start(clients.api, d["name"], {"list": []}), "COMPLETED")
    assert [t["referenceTaskName"] for t in wf["tasks"]] == ["loop"], summary(wf)
    assert by_ref(wf, "loop")["outputData"]["iteration"] == 0


def test_do_while_items_with_condition_stops_early(clients, unique):
    loop = DoWhileTask("loop", "$.loopItem != 'stop'", [inline("body", "$.x", x="${loop.output.loopItem}")])
    d = make_def(clients, unique("dw_items_cond"), loop)
    d["tasks"][0]["items"] = "${workflow.input.list}"
    register_workflow(clients.api, d)
    wf = wait_status(clients.api, start(clients.api, d["name"], {"list": ["go", "stop", "never"]}), "COMPLETED")
    assert by_ref(wf, "loop")["outputData"]["iteration"] == 2, by_ref(wf, "loop")["outputData"]
    assert sorted(t["referenceTaskName"] for t in wf["tasks"]) == ["body__1", "body__2", "loop"], summary(wf)


def test_do_while_failure_inside_body_fails_the_workflow_and_cancels_the_loop(clients, unique):
    loop = LoopTask("loop", 5, [inline("body", "if ($.it == 2) { throw new Error('boom at 2'); } else { $.it }",
                                       it="${loop.output.iteration}")])
    d = make_def(clients, unique("dw_fail"), loop, inline("after", "1"))
    register_workflow(clients.api, d)
    wf = wait_status(clients.api, start(clients.api, d["name"]), "FAILED")
    assert by_ref(wf, "body__1")["status"] == "COMPLETED"
    assert by_ref(wf, "body__2")["status"] in ("FAILED", "FAILED_WITH_TERMINAL_ERROR"), summary(wf)
    # As OSS (DoWhileSpec): the failed body ends the workflow, which cancels the open loop task.
    assert by_ref(wf, "loop")["status"] == "CANCELED", summary(wf)
    assert "boom at 2" in (wf["reasonForIncompletion"] or ""), wf["reasonForIncompletion"]
    assert not [t for t in wf["tasks"] if t["referenceTaskName"] == "after"]


def test_do_while_worker_failure_fails_the_workflow_and_cancels_the_loop(clients, unique):
    tname = unique("dw_fail_worker")
    register_taskdefs(clients.api, taskdef(tname))
    d = make_def(clients, unique("dw_wfail"), LoopTask("loop", 3, [SimpleTask(tname, "w")]), inline("after", "1"))
    register_workflow(clients.api, d)
    wid = start(clients.api, d["name"])
    complete(clients.api, poll_until(clients.api, tname), {"i": 1})
    complete(clients.api, poll_until(clients.api, tname), {}, status="FAILED", reasonForIncompletion="worker says no")
    wf = wait_status(clients.api, wid, "FAILED")
    assert by_ref(wf, "w__2")["status"] == "FAILED"
    assert by_ref(wf, "loop")["status"] == "CANCELED", summary(wf)
    assert "worker says no" in (wf["reasonForIncompletion"] or "")


def test_do_while_condition_error(clients, unique):
    loop = DoWhileTask("loop", "$.nothing.here.at_all", [inline("body", "1")])
    d = make_def(clients, unique("dw_cond_err"), loop)
    register_workflow(clients.api, d)
    wf = wait_status(clients.api, start(clients.api, d["name"]), "FAILED")
    lo = by_ref(wf, "loop")
    assert lo["status"] == "FAILED_WITH_TERMINAL_ERROR", summary(wf)
    assert lo["reasonForIncompletion"].startswith("Unable to evaluate condition $.nothing.here.at_all"), \
        lo["reasonForIncompletion"]


# ============================================================================ TERMINATE

def test_terminate_completed_cancels_other_branches(clients, unique):
    tname = unique("term_worker")
    register_taskdefs(clients.api, taskdef(tname))
    term = TerminateTask("term", WorkflowStatus.COMPLETED, "done early")
    term.input_parameter("workflowOutput", {"x": "${workflow.input.x}", "fixed": True})
    d = make_def(clients, unique("term_c"), ForkTask("fork", [[SimpleTask(tname, "slow")], [inline("pre", "1"), term]]),
                 JoinTask("join", join_on=["slow", "term"]), inline("never", "1"),
                 outputParameters={"ignored": "yes"})
    register_workflow(clients.api, d)
    wf = wait_status(clients.api, start(clients.api, d["name"], {"x": 5}), "COMPLETED")
    t = by_ref(wf, "term")
    assert t["taskType"] == "TERMINATE" and t["status"] == "COMPLETED"
    assert t["outputData"] == {"x": 5, "fixed": True}
    assert wf["output"] == {"x": 5, "fixed": True}, "TERMINATE output wins over outputParameters"
    assert wf["reasonForIncompletion"] == "done early"
    assert by_ref(wf, "slow")["status"] == "CANCELED", summary(wf)
    assert by_ref(wf, "join")["status"] == "CANCELED", summary(wf)
    assert not [x for x in wf["tasks"] if x["referenceTaskName"] == "never"]


@pytest.mark.parametrize("status", ["FAILED", "TERMINATED"])
def test_terminate_failed_or_terminated_default_reason(clients, unique, status):
    term = {"name": "term", "taskReferenceName": "term", "type": "TERMINATE",
            "inputParameters": {"terminationStatus": status, "workflowOutput": "just text"}}
    d = wf_def(unique("term_" + status.lower()), [js_inline("first", "1"), term, js_inline("never", "1")])
    register_workflow(clients.api, d)
    wf = wait_status(clients.api, start(clients.api, d["name"]), status)
    t = by_ref(wf, "term")
    assert t["status"] == "COMPLETED" and t["outputData"] == {"output": "just text"}
    assert wf["reasonForIncompletion"] == f"Workflow is {status} by TERMINATE task: {t['taskId']}"
    assert wf["output"] == {"output": "just text"}
    assert [x["referenceTaskName"] for x in ordered(wf)] == ["first", "term"]


def test_terminate_without_output_and_invalid_status(clients, unique):
    term = {"name": "term", "taskReferenceName": "term", "type": "TERMINATE",
            "inputParameters": {"terminationStatus": "COMPLETED"}}
    d = wf_def(unique("term_noout"), [js_inline("first", "({a: 1})"), term], outputParameters={"o": "x"})
    register_workflow(clients.api, d)
    wf = wait_status(clients.api, start(clients.api, d["name"]), "COMPLETED")
    assert wf["output"] == {}, "TERMINATE without workflowOutput: empty output, outputParameters ignored"
    assert by_ref(wf, "term")["outputData"] == {}
    assert wf["reasonForIncompletion"] == f"Workflow is COMPLETED by TERMINATE task: {by_ref(wf, 'term')['taskId']}"

    # An invalid terminationStatus is refused at registration (OSS TerminateTaskConstraint).
    bad = dict(term, inputParameters={"terminationStatus": "BOGUS"})
    r = requests.post(f"{clients.api}/metadata/workflow", json=wf_def(unique("term_bogus"), [bad]),
                      params={"overwrite": "true"}, timeout=30)
    assert r.status_code == 400 and "terminationStatus" in r.text, r.text


def test_terminate_failed_runs_failure_workflow(clients, unique):
    fw = wf_def(unique("term_failure_wf"), [js_inline("note", "$.r", r="${workflow.input.reason}")])
    register_workflow(clients.api, fw)
    term = {"name": "term", "taskReferenceName": "term", "type": "TERMINATE",
            "inputParameters": {"terminationStatus": "FAILED", "terminationReason": "stop it"}}
    d = wf_def(unique("term_fw"), [term], failureWorkflow=fw["name"])
    register_workflow(clients.api, d)
    wid = start(clients.api, d["name"], {"k": "v"})
    wf = wait_status(clients.api, wid, "FAILED")
    fid = wait_until(lambda: get_wf(clients.api, wid)["output"].get("conductor.failure_workflow"), 5,
                     what="conductor.failure_workflow in output")
    f = wait_status(clients.api, fid, "COMPLETED")
    assert f["workflowName"] == fw["name"]
    assert f["input"]["workflowId"] == wid and f["input"]["k"] == "v"
    assert f["input"]["reason"] == "stop it" and f["input"]["failureStatus"] == "FAILED"


# ============================================================================ SET_VARIABLE / NOOP

def test_set_variable_and_noop(clients, unique):
    sv = SetVariableTask("sv")
    sv.input_parameter("counter", "${workflow.input.start}").input_parameter("obj", {"k": [1, 2]})
    sv2 = SetVariableTask("sv2")
    sv2.input_parameter("counter", 99)
    noop = {"name": "nothing", "taskReferenceName": "noop", "type": "NOOP", "inputParameters": {}}
    d = make_def(clients, unique("setvar"), sv, inline("read1", "$.c", c="${workflow.variables.counter}"), sv2, noop,
                 inline("read2", "[$.c, $.o]", c="${workflow.variables.counter}", o="${workflow.variables.obj.k}"),
                 variables={"counter": 0, "untouched": "u"})
    register_workflow(clients.api, d)
    wf = wait_status(clients.api, start(clients.api, d["name"], {"start": 7}), "COMPLETED")
    assert types_of(wf) == [("sv", "SET_VARIABLE", "sv", "COMPLETED"), ("read1", "INLINE", "read1", "COMPLETED"),
                            ("sv2", "SET_VARIABLE", "sv2", "COMPLETED"), ("noop", "NOOP", "nothing", "COMPLETED"),
                            ("read2", "INLINE", "read2", "COMPLETED")], summary(wf)
    assert by_ref(wf, "sv")["outputData"] == {} and by_ref(wf, "noop")["outputData"] == {}
    assert by_ref(wf, "read1")["outputData"] == {"result": 7}
    assert by_ref(wf, "read2")["outputData"] == {"result": [99, [1, 2]]}
    assert wf["variables"] == {"counter": 99, "obj": {"k": [1, 2]}, "untouched": "u"}


# ============================================================================ WAIT / HUMAN

def test_wait_duration_completes_by_itself(clients, unique):
    d = make_def(clients, unique("wait_dur"), WaitForDurationTask("w", 1), inline("after", "'woke'"))
    register_workflow(clients.api, d)
    t0 = time.monotonic()
    wid = start(clients.api, d["name"])
    wf = get_wf(clients.api, wid)
    w = by_ref(wf, "w")
    assert w["taskType"] == "WAIT" and w["status"] == "IN_PROGRESS" and w["inputData"] == {"duration": "1s"}
    wf = wait_status(clients.api, wid, "COMPLETED", timeout=6)
    elapsed = time.monotonic() - t0
    assert 0.8 <= elapsed <= 4.0, f"1s wait completed after {elapsed:.2f}s"
    assert by_ref(wf, "w")["status"] == "COMPLETED" and by_ref(wf, "w")["outputData"] == {}
    assert wf["output"] == {"result": "woke"}


def test_wait_until_past_and_bad_inputs(clients, unique):
    d = make_def(clients, unique("wait_until"), WaitTask("w"), inline("after", "1"))
    d["tasks"][0]["inputParameters"] = {"until": "${workflow.input.until}"}
    register_workflow(clients.api, d)
    wf = wait_status(clients.api, start(clients.api, d["name"], {"until": "2000-01-01 00:00"}), "COMPLETED", timeout=5)
    assert by_ref(wf, "w")["status"] == "COMPLETED"

    wf = wait_status(clients.api, start(clients.api, d["name"], {"until": "next tuesday"}), "FAILED", timeout=5)
    w = by_ref(wf, "w")
    assert w["status"] == "FAILED_WITH_TERMINAL_ERROR"
    assert w["reasonForIncompletion"] == "Invalid/Unsupported Wait Until format.  Provided: next tuesday"

    d2 = make_def(clients, unique("wait_baddur"), WaitTask("w"))
    d2["tasks"][0]["inputParameters"] = {"duration": "${workflow.input.d}"}
    register_workflow(clients.api, d2)
    wf = wait_status(clients.api, start(clients.api, d2["name"], {"d": "5"}), "FAILED", timeout=5)
    w = by_ref(wf, "w")
    assert w["status"] == "FAILED_WITH_TERMINAL_ERROR" and w["reasonForIncompletion"] == "Not valid duration: 5"


def test_wait_indefinite_completed_by_ref_update(clients, unique):
    d = make_def(clients, unique("wait_forever"), WaitTask("w"), inline("after", "$.v", v="${w.output.answer}"))
    register_workflow(clients.api, d)
    wid = start(clients.api, d["name"])
    time.sleep(1.2)
    wf = get_wf(clients.api, wid)
    assert wf["status"] == "RUNNING" and by_ref(wf, "w")["status"] == "IN_PROGRESS"
    update_by_ref(clients.api, wid, "w", "COMPLETED", {"answer": 42})
    wf = wait_status(clients.api, wid, "COMPLETED")
    assert by_ref(wf, "w")["outputData"] == {"answer": 42}
    assert wf["output"] == {"result": 42}


def test_wait_canceled_when_workflow_terminated(clients, unique):
    d = make_def(clients, unique("wait_term"), WaitTask("w"))
    register_workflow(clients.api, d)
    wid = start(clients.api, d["name"])
    terminate(clients.api, wid, "enough")
    wf = wait_status(clients.api, wid, "TERMINATED")
    assert by_ref(wf, "w")["status"] == "CANCELED"


def test_human_task_completed_and_failed_by_ref(clients, unique):
    d = make_def(clients, unique("human"), HumanTask("approve", display_name="Approve it"),
                 inline("after", "$.ok", ok="${approve.output.approved}"))
    register_workflow(clients.api, d)
    wid = start(clients.api, d["name"])
    time.sleep(1.0)
    wf = get_wf(clients.api, wid)
    h = by_ref(wf, "approve")
    assert h["taskType"] == "HUMAN" and h["status"] == "IN_PROGRESS" and wf["status"] == "RUNNING", summary(wf)
    update_by_ref(clients.api, wid, "approve", "COMPLETED", {"approved": True})
    wf = wait_status(clients.api, wid, "COMPLETED")
    assert by_ref(wf, "approve")["outputData"] == {"approved": True}
    assert wf["output"] == {"result": True}

    wid = start(clients.api, d["name"])
    update_by_ref(clients.api, wid, "approve", "FAILED", {"approved": False})
    wf = wait_status(clients.api, wid, "FAILED")
    assert by_ref(wf, "approve")["status"] == "FAILED"


# ============================================================================ INLINE / LAMBDA / JQ

def test_inline_results_and_types(clients, unique):
    tasks = [
        js_inline("obj", "({sum: $.a + $.b, arr: [1, 'two', null, true], nested: {k: $.s}})", a=1, b=2, s="str"),
        js_inline("num", "$.a / 2", a=5),
        js_inline("integral", "2.0 * 1"),
        js_inline("nul", "null"),
        js_inline("undef", "undefined"),
        js_inline("sees_all", "$.evaluatorType + '|' + (typeof $.expression) + '|' + $.x", x="${workflow.input.x}"),
        js_inline("arrow", "const f = (n) => n * 3; 'v=' + f($.n)", n=4),
        wt(inline("graal", "(function(){ return $.items.length; })()", items=[1, 2, 3])),
        {"name": "vp", "taskReferenceName": "vp", "type": "INLINE",
         "inputParameters": {"evaluatorType": "value-param", "expression": "pick", "pick": {"chosen": 1}}},
    ]
    d = wf_def(unique("inline"), tasks)
    register_workflow(clients.api, d)
    wf = wait_status(clients.api, start(clients.api, d["name"], {"x": "X"}), "COMPLETED")
    res = {t["referenceTaskName"]: t["outputData"] for t in wf["tasks"]}
    assert res["obj"] == {"result": {"sum": 3, "arr": [1, "two", None, True], "nested": {"k": "str"}}}
    assert res["num"] == {"result": 2.5}
    assert res["integral"] == {"result": 2} and isinstance(res["integral"]["result"], int)
    assert res["nul"] == {"result": None} and res["undef"] == {"result": None}
    assert res["sees_all"] == {"result": "javascript|string|X"}
    assert res["arrow"] == {"result": "v=12"}
    assert res["graal"] == {"result": 3}
    assert res["vp"] == {"result": {"chosen": 1}}
    assert all(t["taskType"] == "INLINE" and t["taskDefName"] == t["referenceTaskName"] for t in wf["tasks"])


def test_inline_script_error_and_unknown_evaluator(clients, unique):
    d = wf_def(unique("inline_err"), [js_inline("bad", "throw new Error('kaboom')")])
    register_workflow(clients.api, d)
    wf = wait_status(clients.api, start(clients.api, d["name"]), "FAILED")
    t = by_ref(wf, "bad")
    assert t["status"] == "FAILED_WITH_TERMINAL_ERROR", summary(wf)
    assert "kaboom" in t["reasonForIncompletion"] and "kaboom" in str(t["outputData"].get("error")), t

    d2 = wf_def(unique("inline_eval"), [{"name": "x", "taskReferenceName": "x", "type": "INLINE",
                                         "inputParameters": {"evaluatorType": "cobol", "expression": "1"}}])
    register_workflow(clients.api, d2)
    wf = wait_status(clients.api, start(clients.api, d2["name"]), "FAILED")
    t = by_ref(wf, "x")
    assert t["status"] == "FAILED_WITH_TERMINAL_ERROR"
    assert t["reasonForIncompletion"] == "Unknown evaluator 'cobol' in INLINE task.", t["reasonForIncompletion"]


def test_inline_runaway_script_times_out_and_server_stays_healthy(clients, unique, server):
    d = wf_def(unique("inline_loop"), [js_inline("spin", "while(true){}")])
    register_workflow(clients.api, d)
    t0 = time.monotonic()
    with ThreadPoolExecutor(1) as pool:
        fut = pool.submit(start, clients.api, d["name"])
        time.sleep(1.0)
        # The server answers other requests while the script spins.
        r = requests.get(server + "/health", timeout=3)
        assert r.status_code == 200
        wid = fut.result(timeout=15)
    wf = wait_status(clients.api, wid, "FAILED", timeout=10)
    elapsed = time.monotonic() - t0
    assert elapsed < 8.0, f"runaway INLINE took {elapsed:.1f}s to fail"
    t = by_ref(wf, "spin")
    assert t["status"] == "FAILED", summary(wf)
    assert "Script not evaluated within 4 seconds, interrupted." in t["reasonForIncompletion"], t["reasonForIncompletion"]
    assert t["outputData"].get("error"), t["outputData"]
    # Healthy afterwards: a new script runs normally.
    d2 = wf_def(unique("inline_after_loop"), [js_inline("ok", "1 + 1")])
    register_workflow(clients.api, d2)
    wf = wait_status(clients.api, start(clients.api, d2["name"]), "COMPLETED")
    assert wf["output"] == {"result": 2}


def test_lambda(clients, unique):
    lam = {"name": "lam", "taskReferenceName": "lam", "type": "LAMBDA",
           "inputParameters": {"a": "${workflow.input.a}", "b": 2, "scriptExpression": "return {sum: $.a + $.b};"}}
    d = wf_def(unique("lambda"), [lam])
    register_workflow(clients.api, d)
    wf = wait_status(clients.api, start(clients.api, d["name"], {"a": 40}), "COMPLETED")
    t = by_ref(wf, "lam")
    assert t["taskType"] == "LAMBDA" and t["outputData"] == {"result": {"sum": 42}}

    blank = {"name": "lam", "taskReferenceName": "lam", "type": "LAMBDA", "inputParameters": {"scriptExpression": " "}}
    d2 = wf_def(unique("lambda_blank"), [blank])
    register_workflow(clients.api, d2)
    wf = wait_status(clients.api, start(clients.api, d2["name"]), "FAILED")
    assert by_ref(wf, "lam")["reasonForIncompletion"] == ("Empty 'scriptExpression' in Lambda task's input parameters. "
                                                          "A non-empty String value must be provided.")


def test_json_jq_transform(clients, unique):
    jq1 = JsonJQTask("jq1", "{total: (.a + .b), name: .who, half: (.a / 2)}")
    jq1.input_parameter("a", "${workflow.input.a}").input_parameter("b", 4).input_parameter("who", "jq")
    jq2 = JsonJQTask("jq2", ".items[] | select(. > 1)")
    jq2.input_parameter("items", [1, 2, 3])
    jq3 = JsonJQTask("jq3", ".prev.result.total | tostring | \"t=\\(.)\"")
    jq3.input_parameter("prev", "${jq1.output}")
    jq4 = JsonJQTask("jq4", "empty")
    d = make_def(clients, unique("jq"), jq1, jq2, jq3, jq4)
    register_workflow(clients.api, d)
    wf = wait_status(clients.api, start(clients.api, d["name"], {"a": 3}), "COMPLETED")
    assert by_ref(wf, "jq1")["taskType"] == "JSON_JQ_TRANSFORM"
    assert by_ref(wf, "jq1")["outputData"] == {"result": {"total": 7, "name": "jq", "half": 1.5},
                                               "resultList": [{"total": 7, "name": "jq", "half": 1.5}]}
    assert isinstance(by_ref(wf, "jq1")["outputData"]["result"]["total"], int)
    assert by_ref(wf, "jq2")["outputData"] == {"result": 2, "resultList": [2, 3]}
    assert by_ref(wf, "jq3")["outputData"]["result"] == "t=7"
    assert by_ref(wf, "jq4")["outputData"] == {"result": None, "resultList": []}


def test_json_jq_errors(clients, unique):
    d = wf_def(unique("jq_missing"), [{"name": "jq", "taskReferenceName": "jq", "type": "JSON_JQ_TRANSFORM",
                                       "inputParameters": {"queryExpression": "${workflow.input.q}"}}])
    register_workflow(clients.api, d)
    wf = wait_status(clients.api, start(clients.api, d["name"], {}), "FAILED")
    assert by_ref(wf, "jq")["reasonForIncompletion"] == "Missing 'queryExpression' in input parameters"
    wf = wait_status(clients.api, start(clients.api, d["name"], {"q": ".a | | ."}), "FAILED")
    t = by_ref(wf, "jq")
    assert t["status"] == "FAILED" and t["reasonForIncompletion"] and t["outputData"].get("error"), t


# ============================================================================ DYNAMIC / START_WORKFLOW

def test_dynamic_task_resolves_worker_name(clients, unique):
    tname = unique("dyn_target")
    register_taskdefs(clients.api, taskdef(tname))
    dyn = DynamicTask("${workflow.input.which}", "dyn")
    dyn.input_parameter("payload", "${workflow.input.p}")
    d = make_def(clients, unique("dynamic"), dyn)
    d["tasks"][0]["dynamicTaskNameParam"] = "taskToExecute"
    register_workflow(clients.api, d)
    wid = start(clients.api, d["name"], {"which": tname, "p": [1, 2]})
    wf = get_wf(clients.api, wid)
    t = by_ref(wf, "dyn")
    assert (t["taskType"], t["taskDefName"], t["status"]) == (tname, tname, "SCHEDULED"), summary(wf)
    assert t["inputData"] == {"taskToExecute": tname, "payload": [1, 2]}
    polled = poll_until(clients.api, tname)
    assert polled["taskId"] == t["taskId"]
    complete(clients.api, polled, {"done": True})
    wf = wait_status(clients.api, wid, "COMPLETED")
    assert wf["output"] == {"done": True}

    wf = wait_status(clients.api, start(clients.api, d["name"], {"p": 1}), "FAILED")
    assert wf["reasonForIncompletion"].startswith(
        "Cannot map a dynamic task based on the parameter and input. Parameter= taskToExecute, input= "), \
        wf["reasonForIncompletion"]


def test_start_workflow_task(clients, unique):
    target = wf_def(unique("sw_target"), [js_inline("t", "$.v * 2", v="${workflow.input.v}")])
    register_workflow(clients.api, target)
    req = StartWorkflowRequest(name=target["name"], input={"v": "${workflow.input.v}"})
    st = StartWorkflowTask("starter", target["name"], req, version=1)
    d = make_def(clients, unique("starter"), st, inline("after", "$.id", id="${starter.output.workflowId}"))
    register_workflow(clients.api, d)
    wid = start(clients.api, d["name"], {"v": 21}, correlationId="corr-start-wf")
    wf = wait_status(clients.api, wid, "COMPLETED")
    t = by_ref(wf, "starter")
    assert t["taskType"] == "START_WORKFLOW" and t["status"] == "COMPLETED", summary(wf)
    child_id = t["outputData"]["workflowId"]
    assert t["outputData"] == {"workflowId": child_id}
    child = wait_status(clients.api, child_id, "COMPLETED")
    assert child["workflowName"] == target["name"] and child["output"] == {"result": 42}
    assert not child.get("parentWorkflowId"), "START_WORKFLOW starts an independent workflow"
    assert child.get("correlationId") == "corr-start-wf"

    d2 = wf_def(unique("starter_missing"), [{"name": "s", "taskReferenceName": "s", "type": "START_WORKFLOW",
                                             "inputParameters": {}}])
    register_workflow(clients.api, d2)
    wf = wait_status(clients.api, start(clients.api, d2["name"]), "FAILED")
    assert by_ref(wf, "s")["reasonForIncompletion"] == "Missing 'startWorkflow' in input data."


# ============================================================================ HTTP

@pytest.fixture
def local_http():
    with LocalHTTP() as srv:
        yield srv


def _http_headers(resp):
    return {k.lower(): v for k, v in resp["headers"].items()}


def test_http_get_json(clients, unique, local_http):
    h = HttpTask("get", HttpInput(method=HttpMethod.GET, uri=local_http.url + "/json?q=1"))
    d = make_def(clients, unique("http_get"), h, inline("after", "$.h", h="${get.output.response.body.hello}"))
    register_workflow(clients.api, d)
    wf = wait_status(clients.api, start(clients.api, d["name"]), "COMPLETED")
    t = by_ref(wf, "get")
    assert (t["taskType"], t["taskDefName"], t["status"]) == ("HTTP", "get", "COMPLETED")
    resp = t["outputData"]["response"]
    assert resp["statusCode"] == 200 and resp["reasonPhrase"] == "OK"
    assert resp["body"] == {"hello": "world", "n": 3, "list": [1, 2]}
    assert _http_headers(resp)["x-test-header"] == ["abc"], resp["headers"]
    assert wf["output"] == {"result": "world"}
    assert local_http.requests[0]["method"] == "GET" and local_http.requests[0]["path"] == "/json?q=1"
    assert "application/json" in local_http.requests[0]["headers"].get("accept", "")


def test_http_post_json_body_and_headers(clients, unique, local_http):
    h = HttpTask("post", {"method": "POST", "uri": local_http.url + "/echo",
                          "headers": {"X-Custom": "${workflow.input.hv}", "X-Num": 5},
                          "body": {"a": "${workflow.input.a}", "nested": {"b": [1, 2]}, "s": "text"}})
    d = make_def(clients, unique("http_post"), h)
    register_workflow(clients.api, d)
    wf = wait_status(clients.api, start(clients.api, d["name"], {"hv": "v1", "a": 1}), "COMPLETED")
    resp = by_ref(wf, "post")["outputData"]["response"]
    assert resp["statusCode"] == 200
    seen = local_http.requests[-1]
    assert seen["method"] == "POST"
    assert seen["body"] == {"a": 1, "nested": {"b": [1, 2]}, "s": "text"}, seen
    assert seen["headers"]["x-custom"] == "v1" and seen["headers"]["x-num"] == "5", seen["headers"]
    assert seen["headers"]["content-type"].startswith("application/json"), seen["headers"]
    assert resp["body"]["body"] == {"a": 1, "nested": {"b": [1, 2]}, "s": "text"}
    assert resp["body"]["method"] == "POST"


def test_http_text_body_and_input_without_http_request(clients, unique, local_http):
    t = {"name": "txt", "taskReferenceName": "txt", "type": "HTTP",
         "inputParameters": {"uri": local_http.url + "/text", "method": "GET"}}
    d = wf_def(unique("http_text"), [t])
    register_workflow(clients.api, d)
    wf = wait_status(clients.api, start(clients.api, d["name"]), "COMPLETED")
    resp = by_ref(wf, "txt")["outputData"]["response"]
    assert resp["statusCode"] == 200 and resp["body"] == "plain text body"


@pytest.mark.parametrize("code", [500, 404])
def test_http_non_2xx_fails(clients, unique, local_http, code):
    h = HttpTask("call", {"method": "GET", "uri": f"{local_http.url}/status/{code}"})
    d = make_def(clients, unique(f"http_{code}"), h, inline("never", "1"))
    register_workflow(clients.api, d)
    wf = wait_status(clients.api, start(clients.api, d["name"]), "FAILED")
    t = by_ref(wf, "call")
    assert t["status"] == "FAILED", summary(wf)
    assert str(code) in t["reasonForIncompletion"], t["reasonForIncompletion"]
    assert f"boom {code}" in t["reasonForIncompletion"], t["reasonForIncompletion"]
    assert t["outputData"]["response"]["statusCode"] == code, t["outputData"]
    assert t["retryCount"] == 0 and len(wf["tasks"]) == 1, "ad-hoc HTTP task definition has no retries"


def test_http_bad_requests_and_transport_errors(clients, unique, local_http):
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead_port = s.getsockname()[1]
    cases = {
        "nouri": ({"method": "GET"}, "Missing HTTP URI.  See documentation for HttpTask for required input parameters"),
        "nomethod": ({"uri": local_http.url + "/json"}, "No HTTP method specified"),
        "refused": ({"method": "GET", "uri": f"http://127.0.0.1:{dead_port}/x"}, None),
        "slow": ({"method": "GET", "uri": local_http.url + "/slow/3000", "readTimeOut": 500}, None),
    }
    for key, (req, message) in cases.items():
        d = wf_def(unique("http_" + key), [{"name": key, "taskReferenceName": key, "type": "HTTP",
                                            "inputParameters": {"http_request": req}}])
        register_workflow(clients.api, d)
        t0 = time.monotonic()
        wf = wait_status(clients.api, start(clients.api, d["name"]), "FAILED", timeout=10)
        t = by_ref(wf, key)
        assert t["status"] == "FAILED", (key, summary(wf))
        assert t["reasonForIncompletion"], key
        if message:
            assert t["reasonForIncompletion"] == message, (key, t["reasonForIncompletion"])
        if key == "slow":
            assert time.monotonic() - t0 < 2.8, "readTimeOut 500 ms not honoured"
