// Sends one trace (two spans with attributes of every type, an event, a link, an error status)
// and two metrics (a histogram with explicit buckets, a counter) with the OpenTelemetry JS SDK,
// then writes what it sent to $OTLP_EXPECT (JSON) for the test to compare with what arrived.
// Env: OTLP_PROTOCOL = http/json | http/protobuf | grpc; OTLP_ENDPOINT = base URL.
// Exits 0 only if every export succeeded.
import { writeFileSync } from 'node:fs';
import { context, trace, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { OTLPTraceExporter as TraceJson } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as TraceProto } from '@opentelemetry/exporter-trace-otlp-proto';
import { OTLPTraceExporter as TraceGrpc } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPMetricExporter as MetricJson } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as MetricProto } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPMetricExporter as MetricGrpc } from '@opentelemetry/exporter-metrics-otlp-grpc';

const protocol = process.env.OTLP_PROTOCOL;
const base = process.env.OTLP_ENDPOINT.replace(/\/$/, '');
const timeoutMillis = 5000;
const exporters = {
  'http/json': () => [new TraceJson({ url: `${base}/v1/traces`, timeoutMillis }), new MetricJson({ url: `${base}/v1/metrics`, timeoutMillis })],
  'http/protobuf': () => [new TraceProto({ url: `${base}/v1/traces`, timeoutMillis }), new MetricProto({ url: `${base}/v1/metrics`, timeoutMillis })],
  'grpc': () => [new TraceGrpc({ url: base, timeoutMillis }), new MetricGrpc({ url: base, timeoutMillis })],
}[protocol]();

// The SDK's processors swallow export failures: record every result.
const failures = [];
let successes = 0;
const recording = (exp, what) => ({
  export: (items, done) => exp.export(items, (r) => {
    if (r.code === 0) successes++; else failures.push(`${what}: ${r.error?.message ?? 'unknown error'}`);
    done(r);
  }),
  shutdown: () => exp.shutdown(),
  forceFlush: () => exp.forceFlush?.() ?? Promise.resolve(),
  selectAggregationTemporality: exp.selectAggregationTemporality?.bind(exp),
  selectAggregation: exp.selectAggregation?.bind(exp),
});

const resource = resourceFromAttributes({ 'service.name': `js-${protocol}`, 'service.version': '1.2.3', 'deployment.environment.name': 'e2e' });
const tp = new BasicTracerProvider({ resource, spanProcessors: [new BatchSpanProcessor(recording(exporters[0], 'traces'), { scheduledDelayMillis: 100 })] });
const mp = new MeterProvider({ resource, readers: [new PeriodicExportingMetricReader({ exporter: recording(exporters[1], 'metrics'), exportIntervalMillis: 60000 })] });

const tracer = tp.getTracer('infermetry-e2e', '0.9.0');
const target = tracer.startSpan('linked-target');
target.end();
const attrs = { 'a.string': 'text', 'a.int': 42, 'a.double': 3.25, 'a.bool': true,
  'a.strings': ['x', 'y'], 'a.ints': [1, 2, 3], 'a.doubles': [0.5, 1.5], 'a.bools': [true, false] };
const root = tracer.startSpan('POST /v1/completions', { kind: SpanKind.SERVER, attributes: attrs,
  links: [{ context: target.spanContext(), attributes: { 'link.reason': 'retry-of' } }] });
root.addEvent('first_token', { 'gen_ai.latency.time_to_first_token': 0.125 });
const child = tracer.startSpan('llm_request', { kind: SpanKind.CLIENT, attributes: { 'gen_ai.usage.completion_tokens': 17 } },
  trace.setSpan(context.active(), root));
child.setStatus({ code: SpanStatusCode.ERROR, message: 'simulated failure' });
child.end();
root.end();

const meter = mp.getMeter('infermetry-e2e-meter', '0.9.1');
const hist = meter.createHistogram('e2e.request.duration', { unit: 's', advice: { explicitBucketBoundaries: [0.1, 0.5, 1] } });
for (const v of [0.05, 0.2, 0.3, 0.7, 2]) hist.record(v, { route: '/v1/completions' });
meter.createCounter('e2e.requests').add(5, { code: '200' });

await tp.shutdown();
await mp.shutdown();
const hex = (s) => s;
writeFileSync(process.env.OTLP_EXPECT, JSON.stringify({
  service: `js-${protocol}`,
  traceId: hex(root.spanContext().traceId),
  spans: { root: root.spanContext().spanId, child: child.spanContext().spanId, target: target.spanContext().spanId },
  attrs,
}));
console.log(`protocol=${protocol} exports_ok=${successes} failures=${failures.length}`);
for (const f of failures) console.error('EXPORT FAILED', f);
process.exit(failures.length === 0 && successes >= 2 ? 0 : 1);
