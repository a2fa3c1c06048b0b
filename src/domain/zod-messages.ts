// Plain error messages for every zod schema: "is required" instead of zod's type jargon.
import { z } from 'zod';

z.config({
  customError: (issue) => {
    if (issue.code === 'invalid_type' && issue.input === undefined) return 'is required';
    return undefined;
  },
});

export { z };
