/**
 * SLA clocks: pure functions from a case's events to its clock state, wakeups and metric
 * timeline. The case engine folds each event once into a `ClockFold` and asks it for the clocks
 * as of `now` after each change and on each alarm; `foldClocks` does both in one go.
 */
export { ClockFold, foldClocks, clockEventOf, compareClockEvents, sortClockEvents } from "./fold";
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
