import { eventSchema } from './schema.js';
import type { HistogramValue } from './histogram.js';

/** What every event file starts with (TensorFlow's EventsWriter writes the same). */
export const FILE_VERSION = 'brain.Event:2';

/** Tags and plugin name of TensorBoard's hparams plugin (tensorboard/plugins/hparams/metadata.py). */
export const HPARAMS_PLUGIN = 'hparams';
export const EXPERIMENT_TAG = '_hparams_/experiment';
export const SESSION_START_INFO_TAG = '_hparams_/session_start_info';
export const SESSION_END_INFO_TAG = '_hparams_/session_end_info';
const HPARAMS_PLUGIN_DATA_VERSION = 0;

/** A hyper-parameter as the hparams plugin stores it (google.protobuf.Value). */
export type HParamValue = number | string | boolean;

export type SessionStatus = 'STATUS_SUCCESS' | 'STATUS_FAILURE';

function encodeEvent(fields: Record<string, unknown>): Uint8Array {
  const { Event } = eventSchema();
  return Event.encode(Event.fromObject({ wallTime: Date.now() / 1000, ...fields })).finish();
}

export function fileVersionEvent(): Uint8Array {
  return encodeEvent({ step: 0, fileVersion: FILE_VERSION });
}

/** Scalars in the legacy `simple_value` form, which every TensorBoard reads as a scalar series. */
export function scalarsEvent(values: ReadonlyArray<readonly [tag: string, value: number]>, step: number): Uint8Array {
  return encodeEvent({ step, summary: { value: values.map(([tag, value]) => ({ tag, simpleValue: value })) } });
}

/**
 * TensorBoard's restart marker (SessionLog START, as tf.summary writes when a run restarts): a
 * resumed run's events begin at `step`.
 */
export function resumeEvent(step: number): Uint8Array {
  return encodeEvent({ step, sessionLog: { status: 'START', msg: 'resumed from a checkpoint' } });
}

export function histogramEvent(tag: string, histogram: HistogramValue, step: number): Uint8Array {
  return encodeEvent({ step, summary: { value: [{ tag, histo: histogram }] } });
}

function hparamsEvent(tag: string, data: Record<string, unknown>): Uint8Array {
  const { HParamsPluginData } = eventSchema();
  const content = HParamsPluginData.encode(HParamsPluginData.fromObject({ version: HPARAMS_PLUGIN_DATA_VERSION, ...data })).finish();
  // The plugin reads its data from the metadata alone, as TensorBoard's own hparams summaries do.
  return encodeEvent({ step: 0, summary: { value: [{ tag, metadata: { pluginData: { pluginName: HPARAMS_PLUGIN, content } } }] } });
}

function protobufValue(value: HParamValue): Record<string, unknown> {
  if (typeof value === 'number') return { numberValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  return { stringValue: value };
}

export function sessionStartEvent(hparams: Readonly<Record<string, HParamValue>>, startTimeSecs: number): Uint8Array {
  const encoded = Object.fromEntries(Object.entries(hparams).map(([name, value]) => [name, protobufValue(value)]));
  return hparamsEvent(SESSION_START_INFO_TAG, { sessionStartInfo: { hparams: encoded, startTimeSecs } });
}

/** The experiment: each hyper-parameter with its type, and each metric the run logged as a scalar. */
export function experimentEvent(hparams: Readonly<Record<string, HParamValue>>, metricTags: readonly string[], timeCreatedSecs: number): Uint8Array {
  const typeOf = (value: HParamValue): string => (typeof value === 'number' ? 'DATA_TYPE_FLOAT64' : typeof value === 'boolean' ? 'DATA_TYPE_BOOL' : 'DATA_TYPE_STRING');
  return hparamsEvent(EXPERIMENT_TAG, {
    experiment: {
      timeCreatedSecs,
      hparamInfos: Object.entries(hparams).map(([name, value]) => ({ name, type: typeOf(value) })),
      metricInfos: metricTags.map((tag) => ({ name: { group: '', tag } })),
    },
  });
}

export function sessionEndEvent(status: SessionStatus, endTimeSecs: number): Uint8Array {
  return hparamsEvent(SESSION_END_INFO_TAG, { sessionEndInfo: { status, endTimeSecs } });
}
