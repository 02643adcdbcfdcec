/**
 * SLA clocks: pure functions from a case's events to its clock state, wakeups and metric
 * timeline. The case Durable Object stores events, calls `foldClocks` after each change and on
 * each alarm, and sets its alarm to `nextWakeupAt`.
 */
export { foldClocks, clockEventOf, sortClockEvents } from "./fold";
export {
  SlaMetric,
  SlaTarget,
  SlaPolicy,
  ClockEvent,
  ClockStatus,
  type PolicyResolver,
  type ClockState,
  type MetricClock,
  type MetricEvent,
  type MetricEventType,
  type Wakeup,
} from "./model";
