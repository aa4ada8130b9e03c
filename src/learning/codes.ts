// SPDX-License-Identifier: MIT
/**
 * The learning area's code lists (audits, training, feedback). Migration 0020 holds the same lists as
 * literals; src/db/constraint-drift.test.ts fails if they drift apart.
 */

/** An audit's grade, Ofsted's four words, best first. */
export const AUDIT_GRADES = {
  outstanding: "Outstanding",
  good: "Good",
  "requires-improvement": "Requires improvement",
  inadequate: "Inadequate",
} as const;
export type AuditGrade = keyof typeof AUDIT_GRADES;
export const AUDIT_GRADE_CODES = Object.keys(AUDIT_GRADES) as AuditGrade[];

/** A grade as a score for averages: outstanding 4 down to inadequate 1. */
export const gradeScore = (grade: AuditGrade): number => 4 - AUDIT_GRADE_CODES.indexOf(grade);

/** What an audit round looks at. */
export const AUDIT_THEMES = {
  neglect: "Neglect",
  "early-help": "Early help",
  "front-door": "Front door decisions",
  "child-protection": "Child protection plans",
} as const;
export type AuditTheme = keyof typeof AUDIT_THEMES;
export const AUDIT_THEME_CODES = Object.keys(AUDIT_THEMES) as AuditTheme[];

/** How a round's children are chosen. */
export const SAMPLE_METHODS = {
  random: "At random from the children the rule finds, with a seed shown",
  rule: "Every child the rule finds, up to the sample size, most recent first",
} as const;
export type SampleMethod = keyof typeof SAMPLE_METHODS;
export const SAMPLE_METHOD_CODES = Object.keys(SAMPLE_METHODS) as SampleMethod[];

/** The rule a round's sample is drawn from. */
export const SAMPLE_RULES = {
  "neglect-entries": "Children with a chronology entry about neglect in the last year",
  "open-involvement": "Children with an open involvement of every agency taking part",
  "any-child": "Any child",
} as const;
export type SampleRule = keyof typeof SAMPLE_RULES;
export const SAMPLE_RULE_CODES = Object.keys(SAMPLE_RULES) as SampleRule[];

/** A course's level. */
export const COURSE_LEVELS = {
  introductory: "Introductory",
  core: "Core",
  advanced: "Advanced",
} as const;
export type CourseLevel = keyof typeof COURSE_LEVELS;
export const COURSE_LEVEL_CODES = Object.keys(COURSE_LEVELS) as CourseLevel[];

/** When a confidence evaluation was given. */
export const EVALUATION_STAGES = { before: "Before the course", after: "After the course" } as const;
export type EvaluationStage = keyof typeof EVALUATION_STAGES;
export const EVALUATION_STAGE_CODES = Object.keys(EVALUATION_STAGES) as EvaluationStage[];

/** Who answered a feedback questionnaire. */
export const FEEDBACK_VERSIONS = { child: "Child or young person", family: "Parent or carer" } as const;
export type FeedbackVersion = keyof typeof FEEDBACK_VERSIONS;
export const FEEDBACK_VERSION_CODES = Object.keys(FEEDBACK_VERSIONS) as FeedbackVersion[];

/** How a feedback questionnaire reached Hearth. */
export const FEEDBACK_CHANNELS = {
  device: "On the practitioner's device",
  link: "Through a one-time link",
} as const;
export type FeedbackChannel = keyof typeof FEEDBACK_CHANNELS;
export const FEEDBACK_CHANNEL_CODES = Object.keys(FEEDBACK_CHANNELS) as FeedbackChannel[];
