#include "process/attributes_processor.h"

#include <gtest/gtest.h>

#include "process/attr_action.h"
#include "process/client_info.h"
#include "process/process_test_util.h"

namespace infermetry::process {
namespace {

using testing::FindAttr;
using testing::RecordingConsumer;
using testing::SetAttr;
using testing::YamlConfig;

Result<std::vector<AttrAction>> Decode(YamlConfig& y) {
  return DecodeAttrActions(y.doc, y.doc.root(), "actions");
}

KeyValues Attrs(std::initializer_list<std::pair<std::string, std::string>> kvs) {
  KeyValues out;
  for (const auto& [k, v] : kvs) SetAttr(&out, k, v);
  return out;
}

TEST(AttrActionTest, InsertUpdateUpsertDelete) {
  YamlConfig y(R"(
- {key: env, value: prod, action: insert}
- {key: host, value: h2, action: insert}
- {key: region, value: eu, action: update}
- {key: host, value: h3, action: update}
- {key: zone, value: z1, action: upsert}
- {key: copy, from_attribute: host, action: upsert}
- {key: missing, from_attribute: nope, action: upsert}
- {key: secret, action: delete}
- {pattern: ^tmp\., action: delete}
)");
  auto actions = Decode(y);
  ASSERT_TRUE(actions.ok()) << actions.status().ToString();
  KeyValues a = Attrs({{"host", "h1"}, {"secret", "x"}, {"tmp.a", "1"}, {"keep.tmp.b", "2"}});
  ApplyAttrActions(*actions, &a);
  std::vector<std::string> keys;
  for (const auto& kv : a) keys.push_back(kv.key() + "=" + kv.value().string_value());
  EXPECT_EQ(keys, (std::vector<std::string>{"host=h3", "keep.tmp.b=2", "env=prod", "zone=z1",
                                            "copy=h3"}));
}

TEST(AttrActionTest, ValueTypesFollowYaml) {
  YamlConfig y(R"(
- {key: i, value: 42, action: insert}
- {key: d, value: 4.5, action: insert}
- {key: b, value: true, action: insert}
- {key: s, value: "42", action: insert}
- {key: l, value: [1, x], action: insert}
)");
  auto actions = Decode(y);
  ASSERT_TRUE(actions.ok()) << actions.status().ToString();
  KeyValues a;
  ApplyAttrActions(*actions, &a);
  EXPECT_EQ(FindAttr(a, "i")->int_value(), 42);
  EXPECT_EQ(FindAttr(a, "d")->double_value(), 4.5);
  EXPECT_TRUE(FindAttr(a, "b")->bool_value());
  EXPECT_EQ(FindAttr(a, "s")->string_value(), "42");
  ASSERT_EQ(FindAttr(a, "l")->array_value().values_size(), 2);
  EXPECT_EQ(FindAttr(a, "l")->array_value().values(1).string_value(), "x");
}

TEST(AttrActionTest, HashIsSha256Hex) {
  AnyValue s;
  s.set_string_value("abc");
  EXPECT_EQ(HashValue(s), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  AnyValue empty;
  empty.set_string_value("");
  EXPECT_EQ(HashValue(empty), "");
  AnyValue b;
  b.set_bool_value(true);  // one byte 0x01
  EXPECT_EQ(HashValue(b), "4bf5122f344554c53bde2ebb8cd2b7e3d1600ad631c385a5d7cce23c7785459a");
  AnyValue i;
  i.set_int_value(1);  // 01 00 00 00 00 00 00 00
  EXPECT_EQ(HashValue(i), "7c9fa136d4413fa6173637e883b6998d32e1d675f88cddff9dcbcf331820f4b8");

  YamlConfig y("- {key: user, action: hash}\n- {pattern: ^mail, action: hash}\n");
  auto actions = Decode(y);
  ASSERT_TRUE(actions.ok());
  KeyValues a = Attrs({{"user", "abc"}, {"mail.to", "abc"}, {"other", "abc"}});
  ApplyAttrActions(*actions, &a);
  EXPECT_EQ(FindAttr(a, "user")->string_value(), HashValue(s));
  EXPECT_EQ(FindAttr(a, "mail.to")->string_value(), HashValue(s));
  EXPECT_EQ(FindAttr(a, "other")->string_value(), "abc");
}

TEST(AttrActionTest, ExtractAndConvert) {
  YamlConfig y(R"(
- {key: url, pattern: '^https?://(?P<host>[^/:]+)(:(?P<port>\d+))?', action: extract}
- {key: port, converted_type: int, action: convert}
- {key: ratio, converted_type: double, action: convert}
- {key: bad, converted_type: int, action: convert}
)");
  auto actions = Decode(y);
  ASSERT_TRUE(actions.ok()) << actions.status().ToString();
  KeyValues a = Attrs({{"url", "http://api.example.com:8080/v1"}, {"ratio", "0.25"}, {"bad", "x"}});
  ApplyAttrActions(*actions, &a);
  EXPECT_EQ(FindAttr(a, "host")->string_value(), "api.example.com");
  EXPECT_EQ(FindAttr(a, "port")->int_value(), 8080);
  EXPECT_EQ(FindAttr(a, "ratio")->double_value(), 0.25);
  EXPECT_EQ(FindAttr(a, "bad")->string_value(), "x");
}

TEST(AttrActionTest, FromContextReadsClientMetadata) {
  YamlConfig y(R"(
- {key: auth, from_context: metadata.authorization, action: upsert}
- {key: stream, from_context: metadata.X-P-Stream, action: insert}
- {key: kept, from_context: metadata.x-p-stream, action: insert}
- {key: multi, from_context: metadata.x-multi, action: upsert}
- {key: absent, from_context: metadata.nope, action: upsert}
- {key: present, from_context: metadata.nope, action: upsert}
- {key: dataset, from_context: dash0-dataset, action: insert}
- {key: peer, from_context: client.address, action: insert}
- {key: present, from_context: metadata.x-p-stream, action: update}
)");
  auto actions = Decode(y);
  ASSERT_TRUE(actions.ok()) << actions.status().ToString();
  ClientInfo info;
  info.address = "127.0.0.1:5000";
  info.AddMetadata("Authorization", "Basic YWRtaW46YWRtaW4=");
  info.AddMetadata("X-P-Stream", "vLLMmetrics");
  info.AddMetadata("x-multi", "a");
  info.AddMetadata("X-Multi", "b");
  info.AddMetadata("dash0-dataset", "vllm-e2e");
  KeyValues a = Attrs({{"kept", "old"}, {"present", "p"}});
  {
    ClientInfoScope scope(&info);
    ApplyAttrActions(*actions, &a);
  }
  EXPECT_EQ(FindAttr(a, "auth")->string_value(), "Basic YWRtaW46YWRtaW4=");
  EXPECT_EQ(FindAttr(a, "stream")->string_value(), "vLLMmetrics");
  EXPECT_EQ(FindAttr(a, "kept")->string_value(), "old");          // insert keeps what is there
  EXPECT_EQ(FindAttr(a, "multi")->string_value(), "a;b");         // every value, joined with ';'
  EXPECT_EQ(FindAttr(a, "absent"), nullptr);                      // no such metadata: nothing
  EXPECT_EQ(FindAttr(a, "dataset")->string_value(), "vllm-e2e");  // bare key: metadata
  EXPECT_EQ(FindAttr(a, "peer")->string_value(), "127.0.0.1:5000");
  EXPECT_EQ(FindAttr(a, "present")->string_value(), "vLLMmetrics");

  // Outside any scope (no client information) every from_context action does nothing.
  EXPECT_EQ(CurrentClientInfo(), nullptr);
  KeyValues b = Attrs({{"present", "p"}});
  ApplyAttrActions(*actions, &b);
  ASSERT_EQ(b.size(), 1);
  EXPECT_EQ(FindAttr(b, "present")->string_value(), "p");

  // A scope without metadata (a receiver without include_metadata) likewise.
  ClientInfo bare;
  bare.address = "10.0.0.1:1";
  KeyValues c;
  {
    ClientInfoScope scope(&bare);
    ApplyAttrActions(*actions, &c);
  }
  ASSERT_EQ(c.size(), 1);
  EXPECT_EQ(FindAttr(c, "peer")->string_value(), "10.0.0.1:1");
}

TEST(AttrActionTest, ClientInfoScopesNest) {
  ClientInfo outer, inner;
  outer.AddMetadata("K", "outer");
  inner.AddMetadata("k", "inner");
  EXPECT_EQ(CurrentClientInfo(), nullptr);
  {
    ClientInfoScope a(&outer);
    EXPECT_EQ(CurrentClientInfo()->Get("k").at(0), "outer");
    {
      ClientInfoScope b(&inner);
      EXPECT_EQ(CurrentClientInfo(), &inner);
      {
        ClientInfoScope none(nullptr);
        EXPECT_EQ(CurrentClientInfo(), nullptr);
      }
      EXPECT_EQ(CurrentClientInfo(), &inner);
    }
    EXPECT_EQ(CurrentClientInfo(), &outer);
  }
  EXPECT_EQ(CurrentClientInfo(), nullptr);
  EXPECT_EQ(outer.metadata[0].first, "k");  // keys are lower-cased
}

TEST(AttrActionTest, ConfigErrors) {
  auto error = [](const std::string& yaml) {
    YamlConfig y(yaml);
    auto r = Decode(y);
    return r.ok() ? "OK" : r.status().message();
  };
  EXPECT_EQ(error("- {key: a, value: 1, action: replace}\n"),
            "test.yaml:1:30: actions[0].action: unknown action \"replace\" (expected insert, "
            "update, upsert, delete, hash, extract or convert)");
  EXPECT_EQ(error("- {key: a, action: insert}\n"),
            "test.yaml:1:3: actions[0]: insert needs exactly one of value, from_attribute and "
            "from_context");
  EXPECT_EQ(error("- {key: a, value: 1, from_attribute: b, action: upsert}\n"),
            "test.yaml:1:3: actions[0]: upsert needs exactly one of value, from_attribute and "
            "from_context");
  EXPECT_EQ(error("- {key: a, from_attribute: b, from_context: metadata.b, action: upsert}\n"),
            "test.yaml:1:3: actions[0]: upsert needs exactly one of value, from_attribute and "
            "from_context");
  EXPECT_EQ(error("- {key: a, from_context: metadata.b, action: delete}\n"),
            "test.yaml:1:3: actions[0]: value, from_attribute and from_context are not allowed "
            "with delete");
  EXPECT_EQ(error("- {key: a, from_context: 'metadata.', action: insert}\n"),
            "test.yaml:1:26: actions[0].from_context: missing metadata key");
  EXPECT_EQ(error("- {action: delete}\n"),
            "test.yaml:1:3: actions[0]: delete needs key or pattern");
  EXPECT_EQ(error("- {key: a, pattern: '(', action: delete}\n"),
            "test.yaml:1:21: actions[0].pattern: invalid regular expression: missing ): (");
  EXPECT_EQ(error("- {key: a, pattern: 'x', action: extract}\n"),
            "test.yaml:1:21: actions[0].pattern: extract needs named groups (?P<name>...)");
  EXPECT_EQ(error("- {key: a, action: convert, converted_type: bytes}\n"),
            "test.yaml:1:45: actions[0].converted_type: expected int, double or string");
  EXPECT_EQ(error("- {key: a, from_context: auth.x, action: insert}\n"),
            "test.yaml:1:26: actions[0].from_context: auth.* is not supported (no authenticator "
            "sets it)");
  EXPECT_EQ(error("- {key: a, value: 1, action: upsert, extra: 1}\n"),
            "test.yaml:1:38: unknown field \"extra\" in actions[0]");
}

TEST(AttributesProcessorTest, AppliesToSpansPointsAndLogRecords) {
  YamlConfig y(
      "actions:\n  - {key: db.statement, action: delete}\n  - {key: env, value: prod, action: "
      "insert}\n",
      "attributes");
  RecordingConsumer next;
  auto created = CreateAttributesProcessor(y.cfg, Signal::kTraces, &next);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  Processor& p = **created;

  Traces t = testing::MakeTraces(1, 1, 2);
  auto* span = t.mutable_resource_spans(0)->mutable_scope_spans(0)->mutable_spans(0);
  SetAttr(span->mutable_attributes(), "db.statement", "SELECT 1");
  ASSERT_TRUE(p.ConsumeTraces(std::move(t)).ok());
  const auto& out = next.traces[0].resource_spans(0);
  EXPECT_EQ(FindAttr(out.scope_spans(0).spans(0).attributes(), "db.statement"), nullptr);
  EXPECT_EQ(FindAttr(out.scope_spans(0).spans(1).attributes(), "env")->string_value(), "prod");
  EXPECT_EQ(FindAttr(out.resource().attributes(), "env"), nullptr);  // resource untouched

  ASSERT_TRUE(p.ConsumeMetrics(testing::MakeSums({"m"}, 2)).ok());
  const auto& points =
      next.metrics[0].resource_metrics(0).scope_metrics(0).metrics(0).sum().data_points();
  EXPECT_EQ(FindAttr(points[1].attributes(), "env")->string_value(), "prod");

  ASSERT_TRUE(p.ConsumeLogs(testing::MakeLogs(1)).ok());
  EXPECT_EQ(FindAttr(next.logs[0].resource_logs(0).scope_logs(0).log_records(0).attributes(), "env")
                ->string_value(),
            "prod");
}

TEST(AttributesProcessorTest, FromContextOnEveryItem) {
  YamlConfig y("actions: [{key: tenant, from_context: metadata.x-tenant, action: insert}]\n",
               "attributes");
  RecordingConsumer next;
  auto p = CreateAttributesProcessor(y.cfg, Signal::kTraces, &next);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  ClientInfo info;
  info.AddMetadata("X-Tenant", "t1");
  {
    ClientInfoScope scope(&info);
    ASSERT_TRUE((*p)->ConsumeTraces(testing::MakeTraces(1, 1, 2)).ok());
    ASSERT_TRUE((*p)->ConsumeMetrics(testing::MakeSums({"m"}, 2)).ok());
  }
  ASSERT_TRUE((*p)->ConsumeTraces(testing::MakeTraces(1, 1, 1)).ok());  // no client information
  for (const auto& span : next.traces[0].resource_spans(0).scope_spans(0).spans()) {
    EXPECT_EQ(FindAttr(span.attributes(), "tenant")->string_value(), "t1");
  }
  for (const auto& dp :
       next.metrics[0].resource_metrics(0).scope_metrics(0).metrics(0).sum().data_points()) {
    EXPECT_EQ(FindAttr(dp.attributes(), "tenant")->string_value(), "t1");
  }
  EXPECT_EQ(
      FindAttr(next.traces[1].resource_spans(0).scope_spans(0).spans(0).attributes(), "tenant"),
      nullptr);
}

TEST(AttributesProcessorTest, IncludeExcludeSelectItems) {
  YamlConfig y(R"(include:
  match_type: regexp
  span_names: ["^GET "]
  resources: [{key: service.name, value: "^svc"}]
exclude:
  match_type: strict
  attributes: [{key: http.status_code, value: 500}]
actions:
  - {key: selected, value: true, action: insert}
)",
               "attributes");
  RecordingConsumer next;
  auto p = CreateAttributesProcessor(y.cfg, Signal::kTraces, &next);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  Traces t;
  auto* rs = t.add_resource_spans();
  SetAttr(rs->mutable_resource()->mutable_attributes(), "service.name", "svc-a");
  auto* ss = rs->add_scope_spans();
  ss->add_spans()->set_name("GET /a");
  ss->add_spans()->set_name("POST /a");
  auto* failed = ss->add_spans();
  failed->set_name("GET /b");
  auto* kv = failed->add_attributes();
  kv->set_key("http.status_code");
  kv->mutable_value()->set_int_value(500);
  auto* other = t.add_resource_spans();
  SetAttr(other->mutable_resource()->mutable_attributes(), "service.name", "db");
  other->add_scope_spans()->add_spans()->set_name("GET /c");
  ASSERT_TRUE((*p)->ConsumeTraces(std::move(t)).ok());
  const auto& spans = next.traces[0].resource_spans(0).scope_spans(0).spans();
  EXPECT_NE(FindAttr(spans[0].attributes(), "selected"), nullptr);
  EXPECT_EQ(FindAttr(spans[1].attributes(), "selected"), nullptr);  // name
  EXPECT_EQ(FindAttr(spans[2].attributes(), "selected"), nullptr);  // excluded
  EXPECT_EQ(
      FindAttr(next.traces[0].resource_spans(1).scope_spans(0).spans(0).attributes(), "selected"),
      nullptr);  // resource
}

TEST(AttributesProcessorTest, IncludeOnMetricsAndLogs) {
  YamlConfig m(
      "include: {match_type: strict, metric_names: [b]}\n"
      "actions: [{key: x, value: 1, action: insert}]\n",
      "attributes");
  RecordingConsumer next;
  auto pm = CreateAttributesProcessor(m.cfg, Signal::kMetrics, &next);
  ASSERT_TRUE(pm.ok()) << pm.status().ToString();
  ASSERT_TRUE((*pm)->ConsumeMetrics(testing::MakeSums({"a", "b"}, 1)).ok());
  const auto& ms = next.metrics[0].resource_metrics(0).scope_metrics(0).metrics();
  EXPECT_EQ(FindAttr(ms[0].sum().data_points(0).attributes(), "x"), nullptr);
  EXPECT_NE(FindAttr(ms[1].sum().data_points(0).attributes(), "x"), nullptr);

  YamlConfig l(
      "include: {match_type: regexp, log_bodies: ['^r1$']}\n"
      "actions: [{key: x, value: 1, action: insert}]\n",
      "attributes");
  auto pl = CreateAttributesProcessor(l.cfg, Signal::kLogs, &next);
  ASSERT_TRUE(pl.ok()) << pl.status().ToString();
  ASSERT_TRUE((*pl)->ConsumeLogs(testing::MakeLogs(3)).ok());
  const auto& recs = next.logs[0].resource_logs(0).scope_logs(0).log_records();
  EXPECT_EQ(FindAttr(recs[0].attributes(), "x"), nullptr);
  EXPECT_NE(FindAttr(recs[1].attributes(), "x"), nullptr);
}

TEST(AttributesProcessorTest, ConfigErrors) {
  RecordingConsumer next;
  auto error = [&](const std::string& yaml, Signal signal = Signal::kTraces) {
    YamlConfig y(yaml, "attributes");
    auto p = CreateAttributesProcessor(y.cfg, signal, &next);
    return p.ok() ? "OK" : p.status().message();
  };
  const std::string actions = "actions: [{key: a, action: delete}]\n";
  EXPECT_EQ(error("actions: []\n"),
            "test.yaml:1:10: processors.attributes: actions must list at least one action");
  EXPECT_EQ(error("include: {span_names: [a]}\n" + actions),
            "test.yaml:1:10: processors.attributes.include.match_type: expected strict or regexp");
  EXPECT_EQ(error("include: {match_type: strict}\n" + actions),
            "test.yaml:1:10: processors.attributes.include: at least one property to match is "
            "required");
  EXPECT_EQ(error("include: {match_type: strict, span_names: [a]}\n" + actions, Signal::kLogs),
            "test.yaml:1:43: processors.attributes.include.span_names: not allowed in a logs "
            "pipeline");
  EXPECT_EQ(error("exclude: {match_type: regexp, services: ['(']}\n" + actions),
            "test.yaml:1:42: processors.attributes.exclude.services[0]: invalid regular "
            "expression: missing ): (");
  EXPECT_EQ(error("include: {match_type: strict, log_severity_number: {min: INFO}}\n" + actions,
                  Signal::kLogs),
            "test.yaml:1:52: processors.attributes.include.log_severity_number: not supported");
}

}  // namespace
}  // namespace infermetry::process
