export * from './coverage-gaps.js';
export { finalSchedule } from './final-schedule.js';
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
export * from './schedule.js';
export * from './schedule-validation.js';
