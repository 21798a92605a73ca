// Whether the account table is being scrolled: sparklines that come into view mid-scroll wait until it stops,
// so a fast scroll through 10,000 rows doesn't create a chart for every row it passes.
import { createContext } from 'react';

export const ScrollingContext = createContext(false);
