from mybnpl.cli import main

raise SystemExit(main())
