"""Tools for developers and demos: the demo, the chaos suite, settling, inventory."""
