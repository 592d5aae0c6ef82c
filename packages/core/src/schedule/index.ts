export * from './calendar-feed.service.js';
export * from './coverage-gaps.js';
export { finalSchedule } from './final-schedule.js';
export * from './icalendar.js';
export * from './layer-shifts.js';
export {
  instantToLocal,
  type LocalDate,
  type LocalDateTime,
  type LocalTime,
  localToInstant,
} from './local-time.js';
export * from './on-call-at.js';
export * from './on-call-hours.js';
export * from './pagerduty-import.js';
export * from './schedule.js';
export * from './schedule.service.js';
export * from './schedule-diff.js';
export * from './schedule-record.js';
export * from './schedule-validation.js';
export * from './shift-request.service.js';
