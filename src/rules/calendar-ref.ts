/**
 * The one place the rules module takes the business-hours calendar schema from, so the
 * calendar engine stays the single authority on what a valid calendar is.
 */
export { BusinessCalendar, ALWAYS_OPEN as CALENDAR_ALWAYS_OPEN } from "../calendar/schema";
