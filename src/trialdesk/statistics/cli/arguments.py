"""The options of `trialdesk stats randomization-list | minimize`, apart from the code that runs them, so that
`stats sample-size` builds its parser without importing pydantic and the randomization engine (issue 19 §2:
the command line starts in under 0.5 s)."""

# A copy of analytics.randomization.minimization.MEASURES: importing that package would load the engine.
# statistics/tests/test_cli_arguments.py checks the two agree.
MEASURES = ("range", "variance")


def add_list_arguments(parser) -> None:
    parser.add_argument("--arms", required=True, help="arm names, e.g. A,B")
    parser.add_argument("--ratio", help="allocation ratio, e.g. 2:1 (default equal)")
    parser.add_argument(
        "--block-sizes", required=True, help="block sizes, multiples of the ratio's sum; one drawn per block"
    )
    parser.add_argument("--strata", default="", help='stratification factors, e.g. "sex=M,F;age=<65,>=65"')
    parser.add_argument("--per-stratum", type=int, required=True, help="slots each stratum needs at least")
    parser.add_argument("--seed", type=int, required=True, help="seed of the random generator (0 or more)")
    parser.add_argument("--format", dest="output_format", choices=("csv", "json"), default="csv")


def add_minimize_arguments(parser) -> None:
    parser.add_argument("--arms", required=True, help="arm names, e.g. A,B")
    parser.add_argument("--factors", required=True, help='factors and levels, e.g. "sex=M,F;age=<50,>=50"')
    parser.add_argument("--counts", required=True, help='JSON file: {"A": {"sex=M": 10, ...}, "B": {...}}')
    parser.add_argument("--participant", required=True, help='the new participant, e.g. "sex=F;age=>=50"')
    parser.add_argument("--measure", choices=MEASURES, default="range")
    parser.add_argument("--weights", help="one weight per factor, e.g. 1,1 (default 1 each)")
    parser.add_argument("--ratio", help="allocation ratio, e.g. 2:1 (default equal)")
    parser.add_argument("--json", dest="as_json", action="store_true", help="print the result as JSON")
