/**
 * Content collections (Astro content layer). The files live in `content/` at the project root; their schemas,
 * with a comment on every field, are in `content/schemas.ts`.
 *
 * | collection | files | pages |
 * |---|---|---|
 * | notices   | content/notices/*.md   | /notices/, /notices/<id>/, feeds |
 * | learn     | content/learn/*.md     | /learn/, /learn/<id>/ |
 * | plans     | content/plans/*.yaml   | /policies/, /policies/<id>/ |
 * | tasks     | content/tasks.yaml     | /tasks/, /tasks/units/<unit>/, /tasks/deadlines/ |
 * | units     | content/units.yaml     | (names of the units tasks refer to) |
 * | campaigns | content/campaigns.yaml | home page, /calendar/, /calendar.ics, /campaigns.json |
 * | quiz      | content/quiz.yaml      | /learn/quiz/ |
 */
import { defineCollection } from 'astro:content';
import { file, glob } from 'astro/loaders';
import {
  articleSchema,
  campaignSchema,
  noticeSchema,
  planSchema,
  quizQuestionSchema,
  taskSchema,
  unitSchema,
} from '../content/schemas';
import { checkDates } from '../content/date-check';

// Before the YAML parser can roll an impossible date over (2026-06-31 → 07-01): see content/date-check.ts.
checkDates(process.cwd());

export const collections = {
  notices: defineCollection({ loader: glob({ pattern: '*.md', base: './content/notices' }), schema: noticeSchema }),
  learn: defineCollection({ loader: glob({ pattern: '*.md', base: './content/learn' }), schema: articleSchema }),
  plans: defineCollection({ loader: glob({ pattern: '*.yaml', base: './content/plans' }), schema: planSchema }),
  tasks: defineCollection({ loader: file('./content/tasks.yaml'), schema: taskSchema }),
  units: defineCollection({ loader: file('./content/units.yaml'), schema: unitSchema }),
  campaigns: defineCollection({ loader: file('./content/campaigns.yaml'), schema: campaignSchema }),
  quiz: defineCollection({ loader: file('./content/quiz.yaml'), schema: quizQuestionSchema }),
};
