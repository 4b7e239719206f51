#include "process/graph.h"

#include <algorithm>

#include "common/log.h"

namespace infermetry::process {
namespace {

using config::CollectorConfig;
using config::ComponentRef;
using config::ComponentSection;
using config::Document;
using config::PipelineSection;

template <typename F>
const F* FindFactory(std::span<const F> table, std::string_view type) {
  for (const F& f : table) {
    if (f.type == type) return &f;
  }
  return nullptr;
}

template <typename F>
std::string KnownTypes(std::span<const F> table) {
  std::vector<std::string_view> types;
  for (const F& f : table) types.push_back(f.type);
  std::sort(types.begin(), types.end());
  std::string out;
  for (std::string_view t : types) {
    if (!out.empty()) out += ", ";
    out += t;
  }
  return out.empty() ? "none" : out;
}

// Every defined component must have a known type, used or not (as in the Collector).
template <typename F>
Status CheckTypes(const Document& doc, const std::vector<ComponentSection>& sections,
                  std::span<const F> table, std::string_view section, std::string_view kind) {
  for (const ComponentSection& s : sections) {
    std::string_view type = ComponentType(s.id);
    if (FindFactory(table, type) == nullptr) {
      return doc.ErrorAt(s.key, std::string(section) + "." + s.id + ": unknown " +
                                    std::string(kind) + " type \"" + std::string(type) +
                                    "\" (known types: " + KnownTypes(table) + ")");
    }
  }
  return Status::Ok();
}

// Every component a pipeline lists must support the pipeline's signal.
template <typename F>
Status CheckSignals(const Document& doc, const PipelineSection& p, Signal signal,
                    const std::vector<ComponentRef>& refs, std::span<const F> table,
                    std::string_view list, std::string_view kind) {
  for (size_t i = 0; i < refs.size(); ++i) {
    const F* f = FindFactory(table, ComponentType(refs[i].id));
    if (f != nullptr && !HasSignal(f->signals, signal)) {
      return doc.ErrorAt(refs[i].node, "service.pipelines." + p.name + "." + std::string(list) +
                                           "[" + std::to_string(i) + "]: " + std::string(kind) +
                                           " \"" + refs[i].id + "\" does not support " +
                                           std::string(SignalName(signal)));
    }
  }
  return Status::Ok();
}

const ComponentSection& SectionOf(const std::vector<ComponentSection>& sections,
                                  std::string_view id) {
  // DecodeCollectorConfig guarantees every listed id is defined.
  return *config::FindComponent(sections, id);
}

bool ListedBy(const std::vector<ComponentRef>& refs, std::string_view id) {
  return std::any_of(refs.begin(), refs.end(), [&](const ComponentRef& r) { return r.id == id; });
}

// A factory that reports success must return a component.
template <typename T>
Status Created(const Result<std::unique_ptr<T>>& r, const std::string& what) {
  if (!r.ok()) return r.status();
  if (*r == nullptr) return Internal(what + ": the factory returned no component");
  return Status::Ok();
}

bool SameOptions(const BatchOptions& a, const BatchOptions& b) {
  return a.send_batch_size == b.send_batch_size && a.send_batch_max_size == b.send_batch_max_size &&
         a.timeout == b.timeout;
}

}  // namespace

Graph::~Graph() = default;

Result<std::unique_ptr<Graph>> Graph::Build(const Document& doc, const CollectorConfig& cfg,
                                            const ComponentTables& tables) {
  std::unique_ptr<Graph> g(new Graph());
  INFERMETRY_RETURN_IF_ERROR(g->Assemble(doc, cfg, tables));
  return g;
}

Status Graph::Assemble(const Document& doc, const CollectorConfig& cfg,
                       const ComponentTables& tables) {
  INFERMETRY_RETURN_IF_ERROR(
      CheckTypes(doc, cfg.receivers, tables.receivers, "receivers", "receiver"));
  INFERMETRY_RETURN_IF_ERROR(
      CheckTypes(doc, cfg.processors, tables.processors, "processors", "processor"));
  INFERMETRY_RETURN_IF_ERROR(
      CheckTypes(doc, cfg.exporters, tables.exporters, "exporters", "exporter"));
  INFERMETRY_RETURN_IF_ERROR(
      CheckTypes(doc, cfg.extensions, tables.extensions, "extensions", "extension"));
  for (const PipelineSection& p : cfg.pipelines) {
    Signal signal;
    if (!ParseSignal(p.name, &signal)) {
      return doc.ErrorAt(p.key, "service.pipelines: unknown pipeline type in \"" + p.name + "\"");
    }
    INFERMETRY_RETURN_IF_ERROR(
        CheckSignals(doc, p, signal, p.receivers, tables.receivers, "receivers", "receiver"));
    INFERMETRY_RETURN_IF_ERROR(
        CheckSignals(doc, p, signal, p.processors, tables.processors, "processors", "processor"));
    INFERMETRY_RETURN_IF_ERROR(
        CheckSignals(doc, p, signal, p.exporters, tables.exporters, "exporters", "exporter"));
  }

  // Exporters: one per id, in definition order, only those some pipeline lists.
  for (const ComponentSection& s : cfg.exporters) {
    bool used = std::any_of(cfg.pipelines.begin(), cfg.pipelines.end(),
                            [&](const PipelineSection& p) { return ListedBy(p.exporters, s.id); });
    if (!used) {
      log::Info("exporter is not used by any pipeline; not built", {{"exporter", s.id}});
      continue;
    }
    const ExporterFactory* f = FindFactory(tables.exporters, ComponentType(s.id));
    auto e = f->create(ComponentConfig{&doc, s.value, s.id, "exporters." + s.id, &tables.host});
    INFERMETRY_RETURN_IF_ERROR(Created(e, "exporters." + s.id));
    exporters_.push_back(Owned<Exporter>{s.id, std::move(e).value()});
  }
  for (const PipelineSection& p : cfg.pipelines) {
    INFERMETRY_RETURN_IF_ERROR(BuildPipeline(doc, cfg, tables, p));
  }
  ApplyDurability();
  INFERMETRY_RETURN_IF_ERROR(BuildReceivers(doc, cfg, tables));

  for (const ComponentRef& ref : cfg.service_extensions) {
    const ComponentSection& s = SectionOf(cfg.extensions, ref.id);
    const ExtensionFactory* f = FindFactory(tables.extensions, ComponentType(s.id));
    auto e = f->create(ComponentConfig{&doc, s.value, s.id, "extensions." + s.id, &tables.host});
    INFERMETRY_RETURN_IF_ERROR(Created(e, "extensions." + s.id));
    extensions_.push_back(Owned<Extension>{s.id, std::move(e).value()});
  }
  for (const ComponentSection& s : cfg.extensions) {
    if (!ListedBy(cfg.service_extensions, s.id)) {
      log::Info("extension is not listed in service.extensions; not built", {{"extension", s.id}});
    }
  }
  return Status::Ok();
}

Status Graph::BuildPipeline(const Document& doc, const CollectorConfig& cfg,
                            const ComponentTables& tables, const PipelineSection& section) {
  Pipeline p;
  p.name = section.name;
  ParseSignal(section.name, &p.signal);
  for (const ComponentRef& r : section.receivers) p.receiver_ids.push_back(r.id);
  for (const ComponentRef& r : section.processors) p.processor_ids.push_back(r.id);
  std::vector<Consumer*> exporter_consumers;
  for (const ComponentRef& r : section.exporters) {
    p.exporter_ids.push_back(r.id);
    Exporter* e = exporter(r.id);
    p.exporters.push_back(e);
    exporter_consumers.push_back(e);
    p.durable = p.durable || e->Durable();
  }
  Consumer* next = exporter_consumers.front();
  if (exporter_consumers.size() > 1) {
    fanouts_.push_back(std::make_unique<FanoutConsumer>(std::move(exporter_consumers)));
    next = fanouts_.back().get();
  }
  // Back to front, each processor's next being the one after it.
  std::vector<Processor*> chain(section.processors.size());
  for (size_t i = section.processors.size(); i-- > 0;) {
    const ComponentSection& s = SectionOf(cfg.processors, section.processors[i].id);
    const ProcessorFactory* f = FindFactory(tables.processors, ComponentType(s.id));
    auto created =
        f->create(ComponentConfig{&doc, s.value, s.id, "processors." + s.id, &tables.host}, p.signal, next);
    INFERMETRY_RETURN_IF_ERROR(Created(created, "processors." + s.id));
    processors_.push_back(std::move(created).value());
    chain[i] = processors_.back().get();
    next = chain[i];
  }
  p.processors = std::move(chain);
  p.entry = next;
  pipelines_.push_back(std::move(p));
  return Status::Ok();
}

void Graph::ApplyDurability() {
  std::vector<std::pair<Exporter*, BatchOptions>> given;
  std::vector<std::string> given_by;
  for (Pipeline& p : pipelines_) {
    if (!p.durable) continue;
    const BatchOptions* opts = nullptr;
    for (Processor* proc : p.processors) {
      if (const BatchOptions* o = proc->batching()) {
        if (opts == nullptr) opts = o;
        proc->SetPassThrough();
      }
    }
    if (opts == nullptr) continue;
    for (size_t i = 0; i < p.exporters.size(); ++i) {
      Exporter* e = p.exporters[i];
      auto it =
          std::find_if(given.begin(), given.end(), [&](const auto& g) { return g.first == e; });
      if (it == given.end()) {
        e->SetBatching(*opts);
        given.emplace_back(e, *opts);
        given_by.push_back(p.name);
      } else if (!SameOptions(it->second, *opts)) {
        log::Warn("exporter is shared by pipelines with different batch settings; using the first",
                  {{"exporter", p.exporter_ids[i]},
                   {"used", given_by[it - given.begin()]},
                   {"ignored", p.name}});
      }
    }
  }
}

Status Graph::BuildReceivers(const Document& doc, const CollectorConfig& cfg,
                             const ComponentTables& tables) {
  for (const ComponentSection& s : cfg.receivers) {
    std::vector<Consumer*> by_signal[3];
    for (const Pipeline& p : pipelines_) {
      if (std::find(p.receiver_ids.begin(), p.receiver_ids.end(), s.id) != p.receiver_ids.end()) {
        by_signal[static_cast<int>(p.signal)].push_back(p.entry);
      }
    }
    if (by_signal[0].empty() && by_signal[1].empty() && by_signal[2].empty()) {
      log::Info("receiver is not used by any pipeline; not built", {{"receiver", s.id}});
      continue;
    }
    Consumer* out[3] = {nullptr, nullptr, nullptr};
    for (int i = 0; i < 3; ++i) {
      if (by_signal[i].size() == 1) {
        out[i] = by_signal[i].front();
      } else if (by_signal[i].size() > 1) {
        fanouts_.push_back(std::make_unique<FanoutConsumer>(std::move(by_signal[i])));
        out[i] = fanouts_.back().get();
      }
    }
    ReceiverOutputs outputs;
    outputs.traces = out[static_cast<int>(Signal::kTraces)];
    outputs.metrics = out[static_cast<int>(Signal::kMetrics)];
    outputs.logs = out[static_cast<int>(Signal::kLogs)];
    const ReceiverFactory* f = FindFactory(tables.receivers, ComponentType(s.id));
    auto r = f->create(ComponentConfig{&doc, s.value, s.id, "receivers." + s.id, &tables.host}, outputs);
    INFERMETRY_RETURN_IF_ERROR(Created(r, "receivers." + s.id));
    receivers_.push_back(OwnedReceiver{s.id, std::move(r).value(), outputs});
  }
  return Status::Ok();
}

const Pipeline* Graph::pipeline(std::string_view name) const {
  for (const Pipeline& p : pipelines_) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

Receiver* Graph::receiver(std::string_view id) const {
  for (const auto& r : receivers_) {
    if (r.id == id) return r.component.get();
  }
  return nullptr;
}

const ReceiverOutputs* Graph::receiver_outputs(std::string_view id) const {
  for (const auto& r : receivers_) {
    if (r.id == id) return &r.outputs;
  }
  return nullptr;
}

Exporter* Graph::exporter(std::string_view id) const {
  for (const auto& e : exporters_) {
    if (e.id == id) return e.component.get();
  }
  return nullptr;
}

Extension* Graph::extension(std::string_view id) const {
  for (const auto& e : extensions_) {
    if (e.id == id) return e.component.get();
  }
  return nullptr;
}

std::vector<Graph::Named> Graph::exporters() const {
  std::vector<Named> out;
  for (const auto& e : exporters_) out.push_back({"exporters." + e.id, e.component.get()});
  return out;
}

std::vector<Graph::Named> Graph::processors() const {
  std::vector<Named> out;
  for (const Pipeline& p : pipelines_) {
    for (size_t i = p.processors.size(); i-- > 0;) {
      out.push_back(
          {"processors." + p.processor_ids[i] + " (pipeline " + p.name + ")", p.processors[i]});
    }
  }
  return out;
}

std::vector<Graph::Named> Graph::receivers() const {
  std::vector<Named> out;
  for (const auto& r : receivers_) out.push_back({"receivers." + r.id, r.component.get()});
  return out;
}

std::vector<Graph::Named> Graph::extensions() const {
  std::vector<Named> out;
  for (const auto& e : extensions_) out.push_back({"extensions." + e.id, e.component.get()});
  return out;
}

}  // namespace infermetry::process
