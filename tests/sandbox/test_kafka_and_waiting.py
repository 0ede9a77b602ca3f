"""OSM's Kafka records from the sandbox, read by a real Kafka consumer and decoded with
yaml.safe_load; pairing of request and completion records; waiting by Kafka and by
polling; progress; timeouts; the timing model's calibration."""

from __future__ import annotations

import re
import statistics

import pytest
import yaml

from osm_mec.offer.params import instantiation_params
from osm_mec.osm.kafka_bus import open_consumer, poll_record
from osm_mec.osm.waiting import OperationFailed, OperationListener
from osm_mec.sandbox.faults import parse_faults
from osm_mec.sandbox.timing import TimingModel, paper_column

from .conftest import client_for, onboard


def _drain(bootstrap: str, topic: str = "ns", idle: float = 0.5) -> list:
    consumer = open_consumer(bootstrap, topic, from_beginning=True)
    records = []
    try:
        while (record := poll_record(consumer, idle)) is not None:
            records.append(record)
    finally:
        consumer.close()
    return records


def test_records_are_osms_and_pair_by_op_id(make_sandbox, built, profile) -> None:
    sandbox = make_sandbox()
    client = client_for(sandbox)
    ids = onboard(client, built, ("k8s_cluster_vnf", "k8s_osm_cluster_ns"))
    vim = client.find_admin("vim", "nsp-vim")["_id"]
    ns_id, instantiate = client.create_ns("rec", ids["k8s_osm_cluster_ns"], vim, config=
                                          instantiation_params(profile, "k8s_osm_cluster_ns",
                                                               "rec"))
    client.wait_for_operation(instantiate, timeout=30)
    scale = client.scale(ns_id, "cluster", "worker-scale", True)
    client.wait_for_operation(scale, timeout=30)
    client.get_ns(ns_id)  # NBI's vca_status_refresh noise
    terminate = client.delete_ns(ns_id)
    client.wait_for_operation(terminate, timeout=30, gone_ok=True)

    records = [r for r in _drain(sandbox.kafka_bootstrap) if r.key != "vca_status_refresh"]
    assert [r.key for r in records] == ["instantiate", "instantiated", "scale", "scaled",
                                        "terminate", "terminated", "deleted"]
    raw = _drain(sandbox.kafka_bootstrap)[0]
    assert isinstance(raw.value, dict)  # flow-style YAML decoded by yaml.safe_load
    request, done = records[0].value, records[1].value
    assert request["_id"] == instantiate and request["operationState"] == "PROCESSING"
    assert request["operationParams"]["nsName"] == "rec"
    assert request["operationParams"]["lcmOperationType"] == "instantiate"
    # LCM's instantiated record (osm_lcm/ns.py): these plus startTime, links, operationParams
    assert {"nsr_id", "nslcmop_id", "operationState"} <= set(done)
    assert (done["nsr_id"], done["nslcmop_id"], done["operationState"]) == (
        ns_id, instantiate, "COMPLETED")
    assert records[2].value["operationParams"]["scaleVnfData"]["scaleVnfType"] == "SCALE_OUT"
    assert records[3].value["nslcmop_id"] == scale
    assert records[5].value == {"nsr_id": ns_id, "nslcmop_id": terminate,
                                "operationState": "COMPLETED", "autoremove": True}
    assert records[6].value == {"_id": ns_id}
    # durations from the records are the simulated ones (CreateTime = simulated clock)
    duration = (records[1].timestamp_ms - records[0].timestamp_ms) / 1000
    assert 300 < duration < 1000
    assert records[2].timestamp_ms >= records[1].timestamp_ms


def test_flow_style_yaml_on_the_wire(make_sandbox) -> None:
    from confluent_kafka import Consumer, TopicPartition
    sandbox = make_sandbox()
    sandbox.osm.publish("ns", "instantiated", {"nsr_id": "a", "nslcmop_id": "b",
                                               "operationState": "COMPLETED"}, 1660917770.348)
    consumer = Consumer({"bootstrap.servers": sandbox.kafka_bootstrap, "group.id": "raw",
                         "auto.offset.reset": "earliest", "log_level": 3})
    partitions = consumer.list_topics("ns", timeout=5).topics["ns"].partitions
    consumer.assign([TopicPartition("ns", p, 0) for p in partitions])
    message = None
    while message is None or message.error():
        message = consumer.poll(1)
    consumer.close()
    assert message.key() == b"instantiated"
    assert message.value() == b"{nslcmop_id: b, nsr_id: a, operationState: COMPLETED}\n"
    assert message.timestamp()[1] == 1660917770348
    assert yaml.safe_load(message.value())["operationState"] == "COMPLETED"


def test_failed_operation_record_and_detail(make_sandbox, built, profile) -> None:
    sandbox = make_sandbox(faults=parse_faults([{
        "kind": "operation-fails", "operation": "instantiate", "ns": "doomed-*",
        "detail": "Deploying VDU worker: quota exceeded"}]))
    client = client_for(sandbox)
    ids = onboard(client, built, ("k8s_cluster_vnf", "k8s_osm_cluster_ns"))
    vim = client.find_admin("vim", "nsp-vim")["_id"]
    config = instantiation_params(profile, "k8s_osm_cluster_ns", "d")
    with OperationListener(sandbox.kafka_bootstrap) as listener:
        _, op_id = client.create_ns("doomed-1", ids["k8s_osm_cluster_ns"], vim, config=config)
        with pytest.raises(OperationFailed) as failed:
            client.wait_for_operation(op_id, listener=listener, timeout=30)
        assert listener.wait(op_id, 5) and listener.completion(op_id)[0] == "FAILED"
        _, again = client.create_ns("doomed-2", ids["k8s_osm_cluster_ns"], vim, config=config)
        assert client.wait_for_operation(again, listener=listener,
                                         timeout=30)["operationState"] == "COMPLETED"
    assert failed.value.detail == "Deploying VDU worker: quota exceeded"
    assert failed.value.state == "FAILED" and failed.value.operation == "instantiate"


def test_progress_and_polling_without_kafka(make_sandbox, built, profile) -> None:
    sandbox = make_sandbox(time_scale=0.004, faults=parse_faults([{"kind": "kafka-unavailable"}]))
    client = client_for(sandbox)
    ids = onboard(client, built, ("k8s_cluster_vnf", "k8s_osm_cluster_ns"))
    vim = client.find_admin("vim", "nsp-vim")["_id"]
    seen: list[str] = []
    with OperationListener(sandbox.kafka_bootstrap) as listener:
        _, op_id = client.create_ns("slow", ids["k8s_osm_cluster_ns"], vim, config=
                                    instantiation_params(profile, "k8s_osm_cluster_ns", "s"))
        op = client.wait_for_operation(op_id, progress=seen.append, listener=listener,
                                       timeout=60)
        assert listener.completion(op_id) is None  # nothing on Kafka: polling finished it
    assert op["operationState"] == "COMPLETED"
    assert seen[-1] == "Done" and len(seen) >= 2 and len(seen) == len(set(seen))
    assert any(s.startswith("Deploying VDUs") or s.startswith("Executing day-1")
               for s in seen)
    assert _drain(sandbox.kafka_bootstrap, idle=0.3) == []


def test_wait_times_out_with_the_last_status(make_sandbox, built, profile) -> None:
    sandbox = make_sandbox(time_scale=0.01)
    client = client_for(sandbox)
    ids = onboard(client, built, ("k8s_cluster_vnf", "k8s_osm_cluster_ns"))
    vim = client.find_admin("vim", "nsp-vim")["_id"]
    _, op_id = client.create_ns("late", ids["k8s_osm_cluster_ns"], vim, config=
                                instantiation_params(profile, "k8s_osm_cluster_ns", "l"))
    with pytest.raises(OperationFailed) as late:
        client.wait_for_operation(op_id, timeout=0.6)
    assert late.value.state == "TIMEOUT" and "still PROCESSING" in late.value.detail


def test_admin_objects_move_processing_to_enabled(make_sandbox) -> None:
    sandbox = make_sandbox(time_scale=0.05)
    client = client_for(sandbox)
    vim_id = client.create_admin("vim", {"name": "late-vim", "vim_type": "openstack",
                                         "vim_url": "https://k:5000/v3", "vim_user": "u",
                                         "vim_password": "never shown",
                                         "vim_tenant_name": "t"})
    first = client.get_admin("vim", vim_id)
    assert first["_admin"]["operationalState"] == "PROCESSING"
    assert first["vim_password"] == "********"
    states: list[str] = []
    done = client.wait_for_admin("vim", vim_id, timeout=30, progress=states.append)
    assert done["_admin"]["operationalState"] == "ENABLED" and states[0] == "registering"
    with pytest.raises(Exception) as duplicate:
        client.create_admin("vim", {"name": "late-vim", "vim_type": "openstack",
                                    "vim_url": "u", "vim_user": "u", "vim_password": "p",
                                    "vim_tenant_name": "t"})
    assert getattr(duplicate.value, "status", None) == 409


def test_timing_model_is_calibrated_on_the_paper_and_seeded() -> None:
    model = TimingModel(seed=11)
    for kind, table, column in (("vnf-day1", "paper-table1-deploy.csv", "k8s-osm-cluster-ns"),
                                ("kdu-helm", "paper-table1-deploy.csv", "mec-app-ns"),
                                ("scale-out", "paper-table2-scale.csv", "scale-out"),
                                ("scale-in", "paper-table2-scale.csv", "scale-in")):
        values = paper_column(table, column)
        draws = [model.draw(kind) for _ in range(4000)]
        assert statistics.fmean(draws) == pytest.approx(statistics.fmean(values), rel=0.03)
        assert statistics.stdev(draws) == pytest.approx(statistics.stdev(values), rel=0.15)
        assert min(draws) > 0
    assert paper_column("paper-table1-deploy.csv", "mec-app-ns")[0] == 23.748
    first, second = TimingModel(5), TimingModel(5)
    assert [first.draw("scale-in") for _ in range(3)] == [second.draw("scale-in")
                                                          for _ in range(3)]


def test_publishes_to_a_configured_broker(make_sandbox) -> None:
    from osm_mec.osm.kafka_bus import Publisher
    broker = Publisher()  # a broker that is not the sandbox's own (another mock cluster)
    try:
        sandbox = make_sandbox(kafka=broker.bootstrap)
        assert sandbox.kafka_bootstrap == broker.bootstrap and not sandbox.publisher.mock
        sandbox.osm.publish("ns", "deleted", {"_id": "n1"}, 1.0)
        (record,) = _drain(broker.bootstrap)
        assert (record.key, record.value, record.timestamp_ms) == ("deleted", {"_id": "n1"}, 1000)
    finally:
        broker.close()


def test_faults_file_is_checked(tmp_path) -> None:
    from osm_mec.core.errors import UsageError
    from osm_mec.sandbox.faults import load_faults
    good = tmp_path / "faults.yaml"
    good.write_text("- kind: http-error\n  path: /nslcm\n  times: 2\n- kind: kafka-unavailable\n")
    faults = load_faults(good)
    assert faults.kafka_unavailable and faults.http_error("GET", "/nslcm/v1/x") == 500
    for text, message in (("- kind: nope\n", "[0].kind: use one of"),
                          ("- kind: operation-fails\n  operation: instantiate\n", "needs detail"),
                          ("- kind: token-expiry\n  seconds: 1\n  path: /x\n", "unknown field"),
                          ("kind: x\n", "expected a list")):
        bad = tmp_path / "bad.yaml"
        bad.write_text(text)
        with pytest.raises(UsageError, match=re.escape(message)):
            load_faults(bad)
