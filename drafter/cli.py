"""The `drafter` command: argument parsing, messages and exit codes, nothing else.

The core is reached only through drafter.api (and drafter.session, for `new` and `edit`);
besides them this module imports only helpers for printing (drafter.problems' formatter,
drafter.errors' exception types, drafter.interrupts' exit codes, drafter.progress,
drafter.shellquote, drafter.console), drafter.verdicts (which keeps what a plain `check`
printed) and the front ends it starts (drafter.interview, drafter.web.run).

Every one of those imports is inside the command that needs it (marked "# lazy"), so that
`drafter --help` and `--version` load argparse and nothing else (tests/test_batch.py keeps
it so). Measured as CPU time with bytecode compiled, on a loaded machine: importing
drafter.api after argparse costs 27 ms, drafter.errors 10 ms (its dataclasses) and
drafter.problems 10 ms, against 19 ms for the whole of `drafter --help`.
"""

from __future__ import annotations

import codecs  # loaded by the interpreter itself: costs nothing here
import gc
import os
import sys

from drafter import __version__
from drafter.console import escape_what_it_cannot_show

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from pathlib import Path

    from drafter.errors import DrafterError

# The interview's keys, as its footers say them (drafter new --help, drafter edit --help).
KEYS_HELP = (
    "Tasterne: i en formular (et medlem, en milepæl ...) gemmer Enter posten fra ethvert felt, og Tab går "
    "til næste felt; en tom formular afslutter listen. Et svar over flere linjer har ét afsnit pr. linje (en "
    "liste, fx opgaverne, ét punkt pr. linje) og afsluttes med Enter på en tom linje; Ctrl-E skriver det i din "
    "egen editor. Ctrl-C stopper, og svarene er gemt til --resume."
)

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 70
# A signal: 128 + its number, as a shell says it (drafter.interrupts.exit_code).
# sysexits.h EX_UNAVAILABLE: a program drafter needs (LibreOffice, pdftoppm) is missing.
# The Word documents were written; only the PDFs or previews asked for are not there.
EXIT_UNAVAILABLE = 69
# `drafter import`: the document and the answer file changed the same answer; nothing is
# written until a person chooses (in a terminal, without --yes).
EXIT_CONFLICT = 3

_ARGPARSE_DA = {
    "usage: ": "brug: ",
    "positional arguments": "argumenter",
    "options": "tilvalg",
    "show this help message and exit": "vis denne hjælp og afslut",
    "show program's version number and exit": "vis versionsnummeret og afslut",
    "the following arguments are required: %s": "disse argumenter mangler: %s",
    "unrecognized arguments: %s": "ukendte argumenter: %s",
    "invalid choice: %(value)r (choose from %(choices)s)": "ugyldigt valg: %(value)r (vælg mellem %(choices)s)",
    "expected one argument": "forventede ét argument",
    "%(prog)s: error: %(message)s\n": "%(prog)s: fejl: %(message)s\n",
    "argument %(argument_name)s: %(message)s": "argument %(argument_name)s: %(message)s",
    "not allowed with argument %s": "kan ikke bruges sammen med %s",
}


def _danish_argparse() -> None:
    import argparse  # lazy: a plain check needs none of it (see build_parser)

    # argparse looks its texts up through the module-level gettext alias at call time.
    argparse._ = lambda text: _ARGPARSE_DA.get(text, text)  # type: ignore[attr-defined]
    argparse.ngettext = lambda one, many, n: _ARGPARSE_DA.get(one if n == 1 else many, one if n == 1 else many)  # type: ignore[attr-defined]


def _terminal_columns() -> int:
    """shutil.get_terminal_size().columns without importing shutil (and with it bz2,
    lzma, zlib: ~2 ms of `drafter --help`)."""
    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


def _parser_class() -> type:
    """drafter's ArgumentParser: help as wide as the terminal, usage errors in Danish. Made
    when a parser is built (argparse is imported then; see build_parser)."""
    import argparse  # lazy: see build_parser

    class HelpFormatter(argparse.HelpFormatter):
        def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24, width: int | None = None):
            super().__init__(prog, indent_increment, max_help_position, _terminal_columns() - 2 if width is None else width)

    class Parser(argparse.ArgumentParser):
        def __init__(self, *args, **kwargs):
            kwargs.setdefault("formatter_class", HelpFormatter)
            super().__init__(*args, **kwargs)

        def error(self, message: str):  # argparse's own exit code for usage errors is 2 too
            self.print_usage(sys.stderr)
            self.exit(EXIT_USAGE, f"{self.prog}: fejl: {message}\n")

    return Parser


def _path(text: str) -> Path:
    """A path argument; pathlib is imported when one is given, never for --help (~4 ms)."""
    from pathlib import Path

    return Path(text)


def _option(*flags: str, **settings) -> tuple:
    """One argument of a command, as argparse's add_argument takes it."""
    return flags, settings


def _command(name: str, help: str, description: str, *arguments: tuple, subcommands: tuple = (), **defaults) -> dict:
    """One command (or a subcommand of one) for build_parser; its handler is cmd_NAME
    (cmd_template_check for `template check`)."""
    return {"name": name, "help": help, "description": description, "arguments": arguments,
            "subcommands": subcommands, "defaults": defaults}


OUT_DIR = _option("--out-dir", type=_path, metavar="MAPPE", help="mappe til Word-dokumenter (standard: out)")
# Its default is argparse.SUPPRESS (no attribute unless given), set where it is added.
WORKSPACE = _option(
    "--workspace", type=_path, metavar="MAPPE",
    help="brug arbejdsmappen MAPPE (standard: den nærmeste mappe med drafter.yaml over den aktuelle mappe)",
)
SET_HELP = {
    "new": "besvar et spørgsmål på forhånd, fx --set gruppe.navn=\"...\" (kan gentages)",
    "edit": "ret ét svar uden spørgsmål og uden terminal, fx --set tidsplan.slut=2027-12-17 eller "
            "--set 'formandskab.medlemmer[2].titel=Afdelingsleder' (kan gentages; en tom værdi fjerner svaret)",
}


def _set_option(command: str) -> tuple:
    return _option("--set", action="append", default=[], metavar="NØGLE=VÆRDI", help=SET_HELP[command])


COMMANDS = (
    _command(
        "render", "lav Word-dokumenter ud fra svarfiler",
        "Laver et Word-dokument (.docx) for hver svarfil. answers/x.yaml bliver til out/x.docx. "
        "En mappe betyder alle dens svarfiler (*.yaml, *.yml); mange filer laves samtidig på "
        "alle maskinens kerner, og en fejl i én fil stopper ikke de andre.",
        _option("answers", nargs="+", type=_path, metavar="SVARFIL", help="svarfil(er) i YAML, eller mapper med svarfiler"),
        _option("-o", "--output", type=_path, metavar="FIL", help="skriv dokumentet hertil (kun med én svarfil)"),
        OUT_DIR,
        _option("--force", action="store_true",
                help="overskriv også et dokument, der er ændret efter drafter lavede det, eller som drafter ikke har lavet"),
        _option("--template", type=_path, metavar="SKABELON",
                help="brug denne Word-skabelon i stedet for typens egen (den kontrolleres først, som med "
                     "'drafter template check')"),
        _option("--pdf", action="store_true",
                help="lav også en tilgængelig PDF (tagget, PDF/UA) ved siden af hvert dokument (kræver LibreOffice)"),
        _option("--pdfa", action="store_true",
                help="lav PDF'en som PDF/A-2b til arkivering, stadig tagget (PDF/UA); medfører --pdf og kræver LibreOffice"),
        _option("--preview", action="store_true",
                help="lav også et billede (PNG) af side 1 ved siden af PDF'en (medfører --pdf; kræver pdftoppm)"),
    ),
    _command(
        "check", "kontrollér svarfiler uden at skrive noget",
        "Kontrollerer svarfiler og melder alle fejl med fil, linje og felt, og derefter samarbejdets regler "
        "som 'fil:linje: [regel] fejl/advarsel: besked'. Afslutter med 0, når der ingen fejl er "
        "(advarsler er tilladt). Skriver ingen filer; med --fix skrives den danske typografi, som "
        "[typografi] foreslår, ind i svarfilerne.",
        _option("answers", nargs="*", type=_path, metavar="SVARFIL",
                help="svarfil(er) i YAML eller mapper med svarfiler (standard: arbejdsmappens answers)"),
        _option("--strict", action="store_true", help="regn også advarsler som fejl"),
        _option("--draft-ok", action="store_true",
                help="godtag kladder (complete: false): de manglende svar vises, men tæller ikke som fejl"),
        _option("--list-rules", action="store_true", help="vis alle regler med alvor og kilde"),
        _option("--fix", action="store_true",
                help="skriv dansk typografi ind i svarfilen, hvor check foreslår det ([typografi]: »…«, tankestreg i "
                     "intervaller); resten af filen, også kommentarer, bliver som den er"),
    ),
    _command(
        "template", "kontrollér en Word-skabelon, eller lav en ny ud fra den indbyggede",
        "Egne Word-skabeloner (fx med kommunens brevhoved): kontrollér dem, eller begynd fra en kopi.",
        subcommands=(
            _command(
                "check", "kontrollér, at en Word-skabelon passer til en type",
                "Kontrollerer en Word-skabelon: at Jinja-koden kan læses, at ingen felter er delt over flere "
                "Word-tekststykker, at alle felter findes i typens spørgeskema, og hvilke spørgsmål skabelonen ikke "
                "bruger. Sidehoveder og sidefødder kontrolleres også.",
                _option("template", type=_path, nargs="?", metavar="SKABELON.docx",
                        help="Word-skabelonen, eller en mappe med skabeloner (fx templates/); uden: den, typen bruger"),
                _option("--kind", metavar="TYPE",
                        help="kommissorietypen (se: drafter kinds); uden: typen efter filens navn, og brevpapiret "
                             "for hver type, der bruger det"),
            ),
            _command(
                "new", "skriv en kopi af typens indbyggede skabelon som udgangspunkt",
                "Skriver en kopi af typens indbyggede Word-skabelon, som du kan tilpasse i Word.",
                _option("--kind", metavar="TYPE", help="kommissorietypen (se: drafter kinds)"),
                _option("--letterhead", action="store_true",
                        help="en kopi af brevpapiret (sidehoved, sidefod, typografier), som alle typer uden egen "
                             "skabelon bruges i (standard i en arbejdsmappe: templates/letterhead.docx)"),
                _option("template", type=_path, nargs="?", metavar="SKABELON.docx",
                        help="hvor kopien skal skrives (standard i en arbejdsmappe: templates/TYPE.docx, som drafter "
                             "så bruger)"),
                _option("--force", action="store_true", help="overskriv en eksisterende fil"),
            ),
        ),
    ),
    _command(
        "kinds", "vis de typer kommissorier, drafter kan lave",
        "Viser de typer kommissorier, drafter kan lave, med en kort beskrivelse.",
    ),
    _command(
        "new", "besvar spørgsmålene og lav et nyt kommissorium",
        "Stiller spørgsmålene for en type kommissorium (se 'drafter kinds'), gemmer svarene "
        "efter hvert svar i answers/<gruppens navn>.yaml og laver til sidst Word-dokumentet. " + KEYS_HELP,
        _option("kind", metavar="TYPE", nargs="?", help="typen af kommissorium, fx adhoc (uden: vælg fra en liste)"),
        _option("--answers-dir", type=_path, metavar="MAPPE", help="mappe til svarfilen (standard: answers)"),
        OUT_DIR,
        _option("--resume", type=_path, metavar="SVARFIL",
                help="fortsæt en påbegyndt kladde (eller en gendannelsesfil: så fortsættes i den svarfil, den hører til)"),
        _set_option("new"),
    ),
    _command(
        "edit", "ret svarene i en svarfil ved at få spørgsmålene igen",
        "Stiller spørgsmålene igen med de tidligere svar som standard, gemmer og laver "
        "Word-dokumentet igen, hvis svarfilen er færdig. " + KEYS_HELP,
        _option("answers", type=_path, metavar="SVARFIL", help="svarfilen, der skal rettes"),
        _option("--section", metavar="N", help="kun afsnit N (nummeret i dokumentet, eller fx 'gruppe')"),
        _set_option("edit"),
        OUT_DIR,
    ),
    _command(
        "restore", "læg svarene fra en gendannelsesfil tilbage i deres svarfil",
        "Kunne svarene ikke gemmes (fx en fuld disk eller en mappe, der ikke kan skrives i), står de alle i en "
        "gendannelsesfil (<navn>-gendannet.yaml). restore lægger dem tilbage i den svarfil, de hører til, med "
        "filens kommentarer bevaret, hvis svarfilen er, som den var, da svarene ikke kunne gemmes (ellers i en ny fil "
        "ved siden af, så intet overskrives), laver dokumentet igen, hvis kommissoriet er færdigt (efter import: "
        "med den rettede Word-fil gemt som kopi først), og fjerner gendannelsesfilen.",
        _option("recovery", type=_path, metavar="GENDANNELSESFIL", help="gendannelsesfilen (<navn>-gendannet.yaml)"),
        OUT_DIR,
        _option("--force", action="store_true", help="overskriv dokumentet, også hvis det er rettet i Word siden"),
    ),
    _command(
        "status", "vis alle kommissorier i en mappe og deres Word-dokumenters tilstand",
        "Én linje pr. svarfil i mappen (standard: answers): gruppens navn, typen, om den er færdig eller en kladde "
        "(eller en gendannelsesfil, med kommandoen, der lægger dens svar tilbage), "
        "regelfejl og advarsler, og Word-dokumentet: intet, aktuelt, forældet (svarene er ændret, siden det blev "
        "lavet) eller rettet i Word siden. Skriver ingen filer.",
        _option("folder", nargs="?", type=_path, default="answers", metavar="MAPPE",
                help="mappen med svarfiler (standard: answers)"),
        OUT_DIR,
        _option("--json", action="store_true", help="skriv resultatet som JSON (til scripts)"),
    ),
    _command(
        "diff", "vis, hvad der er ændret mellem to versioner af et kommissorium",
        "Sammenligner to versioner: svarfiler, en svarfil i en tidligere git-version "
        "(fx answers/x.yaml@HEAD~1) eller Word-dokumenter. Viser ændringerne afsnit for afsnit, og med "
        "--docx et Word-dokument med ændringerne som registrerede ændringer, som kan godkendes eller "
        "afvises i Word: 'Afvis alle' giver den gamle versions tekst i brødteksten, sidehovederne og "
        "sidefødderne. Dokumentegenskaberne (titel, emne) kan Word ikke vise som registrerede ændringer; "
        "de er den nye versions. Afslutter med 0, når versionerne er ens, 1, når de er forskellige, og 2 ved fejl.",
        _option("old", metavar="GAMMEL", help="den gamle version: svarfil, FIL@REVISION eller .docx"),
        _option("new", metavar="NY", help="den nye version: svarfil, FIL@REVISION eller .docx"),
        _option("--docx", type=_path, metavar="FIL.docx",
                help="skriv den nye version med ændringerne som registrerede ændringer"),
        _option("--author", metavar="NAVN", help="navnet ved ændringerne i Word (standard: dokumentets forfatter)"),
        _option("--force", action="store_true", help="overskriv FIL.docx, også hvis den er ændret siden"),
    ),
    _command(
        "import", "hent rettelser fra et Word-dokument tilbage i svarfilen",
        "Læser et dokument, som drafter har lavet, og som er rettet i Word eller LibreOffice, "
        "og viser hvert svar, formanden har ændret (før og nu, de ændrede ord i «»). Dokumentet husker de "
        "svar, det blev lavet ud fra: et svar, som kun er ændret i dokumentet, tages; et svar, som kun er "
        "ændret i svarfilen siden, beholdes; et svar, som er ændret begge steder, er en konflikt, som vises "
        "side om side og aldrig skrives med --yes. Efter bekræftelse (j/n, eller med --yes) skrives ændringerne "
        "i svarfilen, med kommentarer bevaret, og dokumentet laves igen; den rettede Word-fil gemmes først "
        "som en kopi. Tekst, der ikke hører til et svar, vises som 'kan ikke placeres'. Et dokument fra en "
        "ældre drafter hentes kun ind svar for svar i en terminal. Afslutter med 0, når alt gik godt, 1, når "
        "intet blev skrevet (uden --yes og uden terminal), 2 ved fejl og 3 ved en konflikt.",
        _option("docx", type=_path, metavar="DOKUMENT", help="det rettede Word-dokument (.docx)"),
        _option("--into", type=_path, metavar="SVARFIL", help="svarfilen (standard: answers/<dokumentets navn>.yaml)"),
        _option("--yes", action="store_true", help="skriv ændringerne uden at spørge"),
        OUT_DIR,
    ),
    _command(
        "replace", "skift et navn ud i svarfilernes tekst (fx en klynge, der bliver et sundhedsråd)",
        "Skifter GAMMELT ud med NYT overalt i svarenes tekst: som helt ord (også i ejefald: "
        "'Region Sjællands' bliver 'Region Østdanmarks'), med stort begyndelsesbogstav, hvor en sætning "
        "begynder med det. Filernes kommentarer og opsætning bevares, og kun de ændrede linjer skrives om. "
        "Hver fil kontrolleres, før den skrives. Steder, hvor navnet står inde i et længere ord, vises, men "
        "ændres ikke.",
        _option("old", metavar="GAMMELT", help="navnet, der skal skiftes ud"),
        _option("new", metavar="NYT", help="det nye navn"),
        _option("paths", nargs="*", type=_path, metavar="SVARFIL",
                help="svarfiler eller mapper (standard: arbejdsmappens answers/)"),
        _option("--dry-run", action="store_true", help="vis hver ændring (fil, svar, før og nu), men skriv intet"),
        _option("--tracked-changes", type=_path, metavar="MAPPE",
                help="skriv for hvert ændret kommissorium et Word-dokument med ændringerne som registrerede ændringer"),
        _option("--author", metavar="NAVN", help="forfatteren af de registrerede ændringer (standard: profilens forfatter)"),
        OUT_DIR,
        trailing_paths="paths",
    ),
    _command(
        "data", "vis organisationsprofilen, der gælder her (organisation, parter, grupper, rotationsplan)",
        "Viser organisationsprofilen, der gælder her (arbejdsmappens drafter.yaml, eller den "
        "indbyggede standardprofil uden arbejdsmappe): organisationen, dens parter og grupper, hvem der nedsætter "
        "grupper og modtager afrapportering, formandskabsmodellen og planen for rotation i formandskaberne. "
        "Det, profilen ikke ved, står som ukendt.",
    ),
    _command(
        "serve", "udfyld kommissorier i browseren (en lokal webformular)",
        "Starter en lokal webserver med spørgeskemaet som formular og åbner browseren. "
        "Svarene gemmes i arbejdsmappens answers/ (eller den aktuelle mappes) efter hver ændring; "
        "dokumenterne skrives i out/. Serveren kan kun "
        "nås fra denne maskine, og kun med nøglen i den adresse, den skriver. Stop den med Ctrl-C.",
        _option("--port", type=int, metavar="N", help="porten (standard: 8470 eller den næste ledige)"),
        _option("--no-browser", action="store_true", help="åbn ikke browseren"),
        _option("--host", default="127.0.0.1", metavar="ADRESSE",
                help="lyt på denne adresse i stedet for 127.0.0.1 (kun denne maskine); andet end det er en risiko"),
    ),
    _command(
        "init", "lav en arbejdsmappe til jeres organisation",
        "Laver en arbejdsmappe: drafter.yaml (organisationens profil), answers/, out/, kinds/, "
        "templates/ og en kort README. Profilen kopieres fra en indbygget profil (se 'drafter profiles'), "
        "som I derefter retter til. En eksisterende arbejdsmappe ændres ikke (undtagen med --switch).",
        _option("folder", nargs="?", type=_path, default=".", metavar="MAPPE", help="mappen (standard: den aktuelle)"),
        _option("--profile", metavar="PROFIL", help="den indbyggede profil, der begyndes fra (standard: neutral)"),
        _option("--name", metavar="NAVN",
                help='organisationens navn, fx "Sundhedsråd Vestjylland" eller "Skovby Kommune"'),
        _option("--region", metavar="REGION", help="regionen, hvor navnet ikke siger den (fx Østdanmark)"),
        _option("--switch", action="store_true",
                help="giv en eksisterende arbejdsmappe den nye profil; den gamle drafter.yaml gemmes ved siden af"),
    ),
    _command(
        "profiles", "vis de organisationsprofiler, drafter har indbygget",
        "Viser de indbyggede organisationsprofiler, som 'drafter init --profile' kan begynde fra, "
        "og hvilken profil der gælder her.",
    ),
)


def build_parser() -> argparse.ArgumentParser:
    # argparse (and gettext with it) is imported here, not at the top: a plain `check`
    # (drafter.verdicts) needs no parser (1.4 ms of its cold start, measured), and the
    # `drafter` command replays a kept verdict before this module is loaded at all.
    import argparse

    _danish_argparse()
    parser = _parser_class()(
        prog="drafter",
        description="Laver kommissorier (Word) for grupper i sundhedsklyngerne ud fra et kort spørgeskema.",
        epilog="Se 'drafter KOMMANDO --help' for hjælp til den enkelte kommando.",
    )
    parser.add_argument("--version", action="version", version=f"drafter {__version__}", help="vis versionsnummeret og afslut")
    workspace = (WORKSPACE[0], {**WORKSPACE[1], "default": argparse.SUPPRESS})
    parser.add_argument(*workspace[0], **workspace[1])
    _add_commands(parser, COMMANDS, "command", "KOMMANDO", "cmd", workspace)
    return parser


def _add_commands(parser: argparse.ArgumentParser, table: tuple, dest: str, metavar: str, handler_prefix: str,
                  workspace: tuple) -> None:
    commands = parser.add_subparsers(dest=dest, metavar=metavar, parser_class=type(parser))
    for spec in table:
        command = commands.add_parser(spec["name"], help=spec["help"], description=spec["description"])
        for flags, settings in (*spec["arguments"], workspace):  # --workspace also after the command
            command.add_argument(*flags, **settings)
        handler_name = f"{handler_prefix}_{spec['name']}"
        if spec["subcommands"]:
            _add_commands(command, spec["subcommands"], f"{spec['name']}_command", "HANDLING", handler_name, workspace)
            command.set_defaults(handler=lambda args, command=command: _help(command))
        else:
            command.set_defaults(handler=globals()[handler_name], **spec["defaults"])


# -- commands --------------------------------------------------------------------------

def cmd_render(args: argparse.Namespace) -> int:
    from drafter import api  # lazy
    from drafter.progress import ProgressBar  # lazy

    paths = api.answer_files(args.answers)
    bar = ProgressBar(sys.stderr, "Word", enabled=None if len(paths) > 1 else False)
    try:
        # A draft named alone is an error; in a folder or among other files it is passed over.
        skip_drafts = len(paths) > 1 or any(api.is_folder(p) for p in args.answers)
        outcomes = api.render_files(paths, args.output, args.out_dir, force=args.force, template=args.template,
                                    skip_drafts=skip_drafts, progress=bar)
    except KeyboardInterrupt as exc:
        bar.close()
        return _interrupted(exc, getattr(exc, "outcomes", []), None)
    finally:
        bar.close()
    missing: list[str] = []
    notes: list[str] = []  # warnings that change nothing about the result
    if args.pdf or args.pdfa or args.preview:
        bar = ProgressBar(sys.stderr, "PDF ")
        try:
            missing = api.add_pdfs(outcomes, preview=args.preview, archive=args.pdfa, force=args.force, progress=bar,
                                   notes=notes)
        except KeyboardInterrupt as exc:
            bar.close()
            return _interrupted(exc, outcomes, "pdf")
        finally:
            bar.close()

    for outcome in outcomes:
        for line in outcome.warnings:
            _print(line, sys.stderr)
    if len(outcomes) == 1 and outcomes[0].status != api.SKIPPED:
        outcome = outcomes[0]
        for line in [*outcome.lines, *outcome.pdf_problems]:
            _print(line, sys.stderr)
        if outcome.status != api.FAILED:
            note = "" if outcome.status == "skrevet" else " (uændret)"
            _print(f"{outcome.output}{note}")
            for extra in (outcome.pdf, outcome.preview):
                if extra is not None:
                    _print(str(extra))
    else:
        for line in api.failure_lines(outcomes):
            _print(line, sys.stderr)
        for line in api.draft_lines(outcomes):
            _print(line)
        _print(api.summary_line(outcomes))
    for message in missing:
        _print(f"drafter: {message}", sys.stderr)
    for note in notes:
        _print(f"drafter: advarsel: {note}", sys.stderr)
    if any(not outcome.ok for outcome in outcomes):
        return EXIT_FAILED
    return EXIT_UNAVAILABLE if missing else EXIT_OK


def _interrupted(exc: KeyboardInterrupt, outcomes: list, stage: str | None) -> int:
    """Say what a signal left finished; exit 128 + the signal's number."""
    from drafter import api  # lazy
    from drafter.interrupts import exit_code, signal_name, signal_number  # lazy

    documents = [o for o in outcomes if o is not None and o.status not in (api.FAILED, api.SKIPPED)]
    line = f"\nAfbrudt ({signal_name(signal_number(exc))}): {len(documents)} af {len(outcomes)} Word-dokumenter er færdige"
    if stage == "pdf":
        pdfs = sum(1 for o in documents if o.pdf is not None)
        line += f", og {pdfs} af {len(documents)} PDF'er"
    line += ". Resten er ikke lavet; intet er halvt skrevet, og tidligere filer er urørte."
    print(line, file=sys.stderr)
    return exit_code(exc)


def cmd_check(args: argparse.Namespace) -> int:
    from drafter import api  # lazy
    from drafter.errors import DrafterError, UsageError  # lazy
    from drafter.problems import display_path, format_problems, in_file_order  # lazy

    if args.list_rules:
        return _list_rules()
    # Everything read before (by a caller in this process) is read again, so that every
    # input of a kept verdict is noted (drafter.verdicts); a fresh process has read nothing.
    api.read_afresh()
    if not args.answers:  # as `drafter status`: the workspace's answers folder
        folder = api.workspace_folder("answers") or _path("answers")
        if not folder.is_dir():
            raise UsageError(
                f"angiv mindst én svarfil (eller --list-rules); uden svarfil kontrolleres mappen {folder}, "
                "men den findes ikke her"
            )
        args.answers = [folder]
    for note in api.profile_notes():
        print(note)
    failed = 0
    for path in api.answer_files(args.answers):  # a folder stands for its answer files, as for render
        try:
            answers = api.load(path)
        except DrafterError as exc:
            _report(exc)
            failed += 1
            continue
        recovery = api.recovery_note(answers)
        if recovery is not None:  # not a commission, nor to be forgotten: a failure, with what to do
            _print(recovery, sys.stderr)
            failed += 1
            continue
        if args.fix:
            try:
                fixed = api.fix_typography(path)
            except DrafterError as exc:
                _report(exc)
                failed += 1
                continue
            if fixed:
                _print(f"{path}: rettet til dansk typografi: {_count(len(fixed), 'svar', 'svar')} "
                       f"({', '.join(display_path(f.path) for f in fixed)})")
                answers = api.load(path)
        if not answers.complete:
            failed += _check_draft(path, answers, args.draft_ok)
            continue
        findings = api.check(answers)
        findings += api.typography(answers)
        for line in format_problems(in_file_order(findings, answers.source_map), answers.source_map, strict=args.strict):
            _print(line)
        errors = [f for f in findings if f.is_error(args.strict)]
        if errors:
            failed += 1
            _print(f"{path}: {_count(len(errors), 'fejl', 'fejl')}")
        else:
            warnings = len(findings) - len(errors)
            _print(f"{path}: i orden" + (f" ({_count(warnings, 'bemærkning', 'bemærkninger')})" if warnings else ""))
    return EXIT_FAILED if failed else EXIT_OK


def _check_draft(path: Path, answers, draft_ok: bool) -> int:
    """A draft: list every missing answer; 1 (a failure) unless --draft-ok."""
    from drafter import api  # lazy
    from drafter.problems import format_problems, in_file_order  # lazy

    missing = api.missing_answers(answers)
    for line in format_problems(in_file_order(missing, answers.source_map), answers.source_map):
        _print(line, sys.stdout if draft_ok else sys.stderr)
    from drafter.shellquote import quote  # lazy

    how = f"gør den færdig med: drafter new {answers.questionnaire.kind} --resume {quote(path)}"
    if draft_ok:
        _print(f"{path}: kladde, godtaget med --draft-ok ({_count(len(missing), 'svar mangler', 'svar mangler')}; {how})")
        return 0
    _print(
        f"{path}: er en kladde (complete: false), ikke et færdigt kommissorium: "
        f"{_count(len(missing), 'svar mangler', 'svar mangler')}; {how} (eller brug --draft-ok)",
        sys.stderr,
    )
    return 1


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _list_rules() -> int:
    from drafter import api  # lazy

    rules = api.rules()
    width = max(len(r.id) for r in rules)
    for r in rules:
        # "a|b" in a rule's needs means either field will do.
        applies = ("typer med " + ", ".join(need.replace("|", " eller ") for need in r.needs)) if r.needs else "alle typer"
        print(f"{r.id.ljust(width)}  {r.severity:<8}  {r.title}")
        print(f"{'':{width}}  kilde:    {r.source}")
        print(f"{'':{width}}  gælder:   {applies}")
        if r.skipped:
            print(f"{'':{width}}  springes over: {r.skipped}")
        elif r.severity != r.default_severity:
            print(f"{'':{width}}  alvor ændret i profilen (fra {r.default_severity}): {r.reason}")
    print(f"\nProfil: {api.workspace_description()}")
    unknown = api.rule_settings_error()
    if unknown is not None:
        sys.stdout.flush()  # the listing first, then what is wrong in the profile
        _report(unknown)
        return EXIT_FAILED
    return EXIT_OK


def cmd_template_check(args: argparse.Namespace) -> int:
    from drafter import api  # lazy

    failed = False
    for result in api.check_templates(args.template, args.kind):
        failed = failed or bool(result.errors)
        for line in result.lines():
            _print(line, sys.stderr if result.errors else sys.stdout)
    return EXIT_FAILED if failed else EXIT_OK


def cmd_template_new(args: argparse.Namespace) -> int:
    from drafter import api  # lazy

    _print(str(api.new_template(args.kind, args.template, letterhead=args.letterhead, force=args.force)))
    return EXIT_OK


def _help(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return EXIT_USAGE


def cmd_kinds(args: argparse.Namespace) -> int:
    from drafter import api  # lazy

    kinds, broken = api.kinds()
    for exc in broken:  # one broken kind file does not hide the others
        _report(exc)
    from drafter.questionnaire import missing_profile_note  # lazy

    width = max((len(k.kind) for k in kinds), default=0)
    for kind in kinds:
        lacking = missing_profile_note(kind)  # a cluster kind in a council's workspace says so
        note = f" (profilen {lacking})" if lacking else ""
        _print(f"{kind.kind.ljust(width)}  {kind.name}{note}: {kind.description}")
    return EXIT_FAILED if broken else EXIT_OK


def _require_terminal(command: str) -> None:
    if not sys.stdin.isatty():
        from drafter.errors import UsageError  # lazy

        raise UsageError(
            f"drafter {command} stiller spørgsmål og skal køres i en terminal, men input kommer ikke fra en "
            "terminal (fx i CI eller gennem et rør). Intet er skrevet.\n"
            "Uden terminal: skriv svarene i en svarfil (se eksemplerne i answers/) og lav dokumentet med "
            "'drafter render SVARFIL'.\n"
            "En påbegyndt kladde fortsættes i en terminal med 'drafter new TYPE --resume SVARFIL'."
        )
    _require_utf8_terminal(command)


def _require_utf8_terminal(command: str) -> None:
    """What is typed must be read as typed: a terminal whose encoding is not UTF-8 would save
    "æøå" as "Ã¦Ã¸Ã¥" (Latin-1) or not at all (ASCII). Windows' console reads Unicode itself."""
    if os.name == "nt":
        return
    encoding = sys.stdin.encoding or "ukendt"
    try:
        if codecs.lookup(encoding).name == "utf-8":
            return
    except LookupError:
        pass
    from drafter.errors import UsageError  # lazy

    message = (
        f"drafter {command}: terminalens tegnkodning er {encoding}, ikke UTF-8, så æ, ø og å ville ikke blive gemt, "
        "som du skriver dem. Intet er skrevet.\n"
        "Sæt terminalen til UTF-8, fx med: export LANG=da_DK.UTF-8 (eller C.UTF-8), og prøv igen."
    )
    try:  # as UTF-8 bytes: the terminal itself most likely is UTF-8 (only the setting is not)
        sys.stderr.flush()
        sys.stderr.buffer.write((message + "\n").encode("utf-8"))
        sys.stderr.buffer.flush()
    except (AttributeError, OSError, ValueError):
        raise UsageError(message) from None
    raise SystemExit(EXIT_USAGE)


def cmd_new(args: argparse.Namespace) -> int:
    from drafter import api  # lazy

    if args.kind is None and args.resume is None:
        _require_terminal("new")
        from drafter import interview  # lazy

        interview.say_profile()
        args.kind = interview.choose_kind()
    questionnaire = api.kind(args.kind) if args.kind else None
    if questionnaire is None:  # --resume without a kind: the draft says which
        from drafter.session import load_for_resume  # lazy

        questionnaire = load_for_resume(args.resume, None)[0].questionnaire
    _require_terminal("new")
    from drafter import interview  # lazy

    if args.kind is not None or args.resume is not None:
        interview.say_profile()
    interview.warn_missing_profile_data(questionnaire)
    result = interview.new(
        questionnaire,
        answers_dir=args.answers_dir or _workspace_folder("answers") or interview.DEFAULT_ANSWERS_DIR,
        out_dir=args.out_dir or _workspace_folder("out"),
        resume=args.resume,
        settings=args.set or [],
    )
    _print_result(result)
    return EXIT_OK


def _workspace_folder(name: str) -> Path | None:
    from drafter import api  # lazy

    return api.workspace_folder(name)


def cmd_edit(args: argparse.Namespace) -> int:
    if args.set:
        return _edit_set(args)
    _require_terminal("edit")
    from drafter import interview  # lazy

    result = interview.edit(args.answers, section=args.section, out_dir=args.out_dir or _workspace_folder("out"))
    _print_result(result)
    return EXIT_OK


def _edit_set(args: argparse.Namespace) -> int:
    from drafter.errors import UsageError  # lazy
    from drafter.api import set_answers  # lazy

    if args.section is not None:
        raise UsageError("--set og --section kan ikke bruges sammen: --set retter svarene uden spørgsmål")
    from drafter.problems import format_problems  # lazy

    result = set_answers(args.answers, args.set, out_dir=args.out_dir)
    _print(f"Svarfil: {result.answers_path}" + ("" if result.changed else " (uændret)"))
    if result.render is None:
        _print("Svarfilen er en kladde; der laves intet dokument, før den er færdig")
        return EXIT_OK
    for line in format_problems(result.render.warnings, result.render.source):
        _print(line, sys.stderr)
    note = "" if result.render.status == "skrevet" else " (uændret)"
    _print(f"Dokument: {result.render.output}{note}")
    return EXIT_OK


def _print_result(result) -> None:
    _print(f"\nSvarfil: {result.answers_path}")
    if result.output is None:
        from drafter.shellquote import quote  # lazy

        _print(f"Svarfilen er en kladde; gør den færdig med: drafter new {result.kind} --resume {quote(result.answers_path)}")
        return
    note = "" if result.status == "skrevet" else " (uændret)"
    _print(f"Dokument: {result.output}{note}")


def cmd_restore(args: argparse.Namespace) -> int:
    from drafter import api  # lazy
    from drafter.problems import format_problems  # lazy

    restored = api.restore(args.recovery, out_dir=args.out_dir or _workspace_folder("out"), force=args.force)
    for note in restored.notes:
        _print(note)
    _print(f"Svarfil: {restored.answers_path}")
    if restored.render is None:
        from drafter.shellquote import quote  # lazy

        _print(f"Svarfilen er en kladde; gør den færdig med: drafter new {restored.kind} --resume {quote(restored.answers_path)}")
        return EXIT_OK
    if restored.backup is not None:
        _print(f"Den rettede Word-fil er gemt som {restored.backup}")
    for line in format_problems(restored.render.warnings, restored.render.source):
        _print(line, sys.stderr)
    note = "" if restored.render.status == "skrevet" else " (uændret)"
    _print(f"Dokument: {restored.render.output}{note}")
    return EXIT_OK


def cmd_status(args: argparse.Namespace) -> int:
    from drafter import api  # lazy

    entries = api.status(args.folder, args.out_dir)
    if args.json:
        import json  # lazy: only --json needs it

        print(json.dumps(entries, ensure_ascii=True, indent=2))  # valid JSON whatever the console's code page
        return EXIT_OK
    rows = [api.status_cells(entry) for entry in entries]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    for row in rows:
        _print("  ".join([*(cell.ljust(width) for cell, width in zip(row, widths)), row[-1]]))
    return EXIT_OK


def cmd_diff(args: argparse.Namespace) -> int:
    from drafter import api  # lazy
    from drafter.errors import DrafterError  # lazy
    from drafter.problems import printable  # lazy

    try:
        old, new = api.read_version(args.old), api.read_version(args.new)
        difference = api.diff(old, new)
        if args.docx is not None:
            written = api.write_tracked_changes(difference, args.docx, args.author, args.force)
    except DrafterError as exc:
        _report(exc)
        return EXIT_USAGE  # like diff(1): 2 means trouble, not "different"
    if difference.equal:
        print("Ingen ændringer i svarene." if old.answers is not None and new.answers is not None else "Ingen ændringer i teksten.")
    else:
        print(f"Ændringer fra {old.name} til {new.name}:")
        for line in difference.lines():
            print(printable(line))
    if args.docx is not None:
        print(f"Registrerede ændringer: {written}")
    return EXIT_OK if difference.equal else EXIT_FAILED


def cmd_import(args: argparse.Namespace) -> int:
    from drafter import api  # lazy

    edits = api.read_chair_edits(args.docx, args.into)
    answers_path, result = edits.answers_path, edits.result
    interactive = sys.stdin.isatty() and sys.stdout.isatty()
    if result.tracked:
        print(f"Dokumentet har {_count(result.tracked, 'registreret ændring', 'registrerede ændringer')}; "
              "de er læst, som om de var godkendt.")
    if not result.has_base:
        print("Dokumentet husker ikke de svar, det blev lavet ud fra (det er lavet af en ældre drafter, eller typen "
              "er ændret siden). Det sammenlignes derfor med svarfilen, som den er nu, og hvert svar skal bekræftes "
              "for sig i en terminal.")
    if result.kept:
        names = ", ".join(_answer_name(change) for change in result.kept)
        _print(f"Ændret i svarfilen, siden dokumentet blev lavet (beholdes): {names}")
    for change in result.changes:
        _show_change(change)
    for conflict in result.conflicts:
        _show_conflict(conflict)
    if result.unplaced:
        print("Kan ikke placeres i et svar (ret dem selv i svarfilen, eller lad dem blive i Word-filen):")
        for item in result.unplaced:
            _print(f"  {item.what}, {item.where}: {item.text}")
    if result.formatting:
        print("Formatering, som ikke bevares, når dokumentet laves igen (drafter bestemmer formateringen):")
        for where, what in result.formatting:
            _print(f"  {where}: {what}")
    if not result.changes and not result.conflicts:
        print(f"Ingen ændrede svar i {args.docx}; svarfilen {answers_path} er uændret.")
        return EXIT_OK
    chosen = _choose(result, answers_path, args.yes, interactive)
    if chosen is None:
        return EXIT_CONFLICT if result.conflicts else EXIT_FAILED
    if not chosen:
        print("Intet er skrevet.")
        return EXIT_OK
    imported = api.save_chair_edits(edits, chosen, args.out_dir)
    print(f"Svarfil: {answers_path} ({_count(len(chosen), 'svar ændret', 'svar ændret')})")
    if imported.backup is not None:
        print(f"Den rettede Word-fil er gemt som {imported.backup}")
    print(f"Dokument: {imported.output}")
    return EXIT_OK


def cmd_replace(args: argparse.Namespace) -> int:
    from drafter import api  # lazy
    from drafter.errors import DrafterError  # lazy
    from drafter.problems import format_problems  # lazy

    planned = api.plan_replacement(args.old, args.new, args.paths)
    old, paths, results = planned.old, planned.paths, planned.files
    failed = [r for r in results if r.problems]
    todo = [r for r in results if r.changed and not r.problems]
    for result in results:
        for occurrence in result.changed:
            _print(f"{result.path}:{occurrence.line}: {occurrence.label}:")
            _print(f"  før: {occurrence.before}")
            _print(f"  nu:  {occurrence.after}")
        for occurrence in result.left:
            _print(f"{result.path}:{occurrence.line}: {occurrence.label}: ikke ændret, står inde i et længere ord: {occurrence.before}")
        for line in format_problems(result.problems, result.source):
            _print(line, sys.stderr)
    count = sum(len(r.changed) for r in todo)
    if not count:
        _print(f'Ingen forekomster af "{old}" at ændre i {_count(len(paths), "svarfil", "svarfiler")}.')
        return EXIT_FAILED if failed else EXIT_OK
    changes = f"{_count(count, 'ændring', 'ændringer')} i {_count(len(todo), 'svarfil', 'svarfiler')}"
    if args.dry_run:
        _print(f"Prøvekørsel: {changes}; intet er skrevet.")
        return EXIT_FAILED if failed else EXIT_OK
    outdated, tracked = [], []
    for result in todo:
        try:
            written = api.write_replacement(result, args.tracked_changes, args.author)
            if written is not None:
                tracked.append(written)
        except DrafterError as exc:
            failed.append(result)
            for line in exc.lines():
                _print(line, sys.stderr)
            continue
        document = api.document_for(result.path, args.out_dir)
        if document.exists():
            outdated.append(document)
    written = [r for r in todo if r.written]
    _print(f"Skrevet: {_count(sum(len(r.changed) for r in written), 'ændring', 'ændringer')} "
           f"i {_count(len(written), 'svarfil', 'svarfiler')}.")
    if outdated:
        _print("Disse dokumenter er nu forældede; lav dem igen med drafter render:")
        for document in outdated:
            _print(f"  {document}")
    if tracked:
        _print(f"Ændringerne som registrerede ændringer i Word: {args.tracked_changes}")
    return EXIT_FAILED if failed else EXIT_OK


def _choose(result, answers_path, yes: bool, interactive: bool) -> list | None:
    """The changes to write, as (path, value); [] for none; None when nothing may be
    written without a person (reported)."""
    if result.conflicts and (yes or not interactive):
        print(f"Intet er skrevet: {_count(len(result.conflicts), 'svar', 'svar')} er ændret både i dokumentet og i "
              "svarfilen. Kør drafter import uden --yes i en terminal for at vælge, eller ret svarfilen selv.")
        return None
    if not result.has_base and (yes or not interactive):
        print("Intet er skrevet: et dokument fra en ældre drafter hentes kun ind svar for svar. "
              "Kør drafter import uden --yes i en terminal.")
        return None
    if not yes and not interactive:
        print(f"Intet er skrevet. Kør igen med --yes for at skrive ændringerne i {answers_path}.")
        return None
    chosen = []
    if result.has_base:
        if not yes and result.changes and not _ask_yes(f"Skal formandens rettelser skrives i {answers_path}?"):
            return []
        chosen = [(change.path, change.new) for change in result.changes]
    else:
        for change in result.changes:
            if _ask_yes(f"Tag rettelsen af {_answer_name(change)}?"):
                chosen.append((change.path, change.new))
    for conflict in result.conflicts:
        if _ask_yes(f"{_answer_name(conflict)}: tag dokumentets tekst i stedet for svarfilens?"):
            chosen.append((conflict.path, conflict.theirs))
    return chosen


def _ask_yes(question: str) -> bool:
    """A Danish yes or no from the terminal: j, ja, n or nej."""
    while True:
        try:
            answer = input(f"{question} (j/n) ").strip().casefold()
        except EOFError:
            return False
        if answer in ("j", "ja"):
            return True
        if answer in ("n", "nej"):
            return False
        print("Svar j (ja) eller n (nej).")


def _answer_name(change) -> str:
    from drafter import api  # lazy
    from drafter.problems import display_path  # lazy

    return f"{api.label(change.question)} ({display_path(change.path)})"


def _wrapped(prefix: str, text: str) -> list[str]:
    import textwrap  # lazy: only import's listing needs it

    width = max(40, min(100, _terminal_columns()) - 2)
    lines = []
    for n, paragraph in enumerate(text.split("\n")):
        first = prefix if n == 0 else " " * len(prefix)
        lines += textwrap.wrap(paragraph, width, initial_indent=first, subsequent_indent=" " * len(prefix),
                               break_on_hyphens=False) or [first.rstrip()]
    return lines


def _show_change(change) -> None:
    from drafter.api import full_text, marked_words, question_lines  # lazy

    _print(f"{_answer_name(change)}:")
    old_items, new_items = change.old or [], change.new or []
    if change.question.type == "list" and len(old_items) == len(new_items) and sorted(map(str, old_items)) != sorted(
            map(str, new_items)):
        # Items edited in place: each shown before and after, like a text.
        for n, (before, after) in enumerate(zip(old_items, new_items), start=1):
            if before != after:
                old, new = marked_words(str(before), str(after))
                for line in _wrapped(f"  punkt {n} før: ", old) + _wrapped(f"  punkt {n} nu:  ", new):
                    _print(line)
        return
    if change.question.type in ("records", "list"):
        for line in question_lines(change.question, change.old, change.new):
            for wrapped in _wrapped("  ", line):
                _print(wrapped)
        return
    old, new = marked_words(full_text(change.question, change.old), full_text(change.question, change.new))
    for line in _wrapped("  før: ", old) + _wrapped("  nu:  ", new):
        _print(line)


def _show_conflict(conflict) -> None:
    """The file's and the document's answer side by side, and what it was."""
    import textwrap  # lazy: only import's listing needs it

    from drafter.api import full_text, marked_words, question_lines  # lazy

    _print(f"KONFLIKT: {_answer_name(conflict)} er ændret både i dokumentet og i svarfilen:")
    q = conflict.question
    if q.type in ("records", "list"):
        mine = question_lines(q, conflict.base, conflict.mine) or ["(uændret)"]
        theirs = question_lines(q, conflict.base, conflict.theirs) or ["(uændret)"]
    else:
        mine_text, theirs_text = marked_words(full_text(q, conflict.mine), full_text(q, conflict.theirs))
        mine, theirs = [mine_text], [theirs_text]
        for line in _wrapped("  da dokumentet blev lavet: ", full_text(q, conflict.base)):
            _print(line)
    column = max(30, (min(120, _terminal_columns()) - 5) // 2)
    left = [row for text in mine for line in text.split("\n") for row in textwrap.wrap(line, column) or [""]]
    right = [row for text in theirs for line in text.split("\n") for row in textwrap.wrap(line, column) or [""]]
    _print(f"  {'Svarfilen nu'.ljust(column)} | Dokumentet (formanden)")
    for n in range(max(len(left), len(right))):
        a = left[n] if n < len(left) else ""
        b = right[n] if n < len(right) else ""
        _print(f"  {a.ljust(column)} | {b}")


def cmd_data(args: argparse.Namespace) -> int:
    from drafter import api  # lazy

    print(api.describe_profile())
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    from drafter import api  # lazy
    from drafter.errors import UsageError  # lazy
    from drafter.web.run import serve  # lazy: the web front end, only for serve

    if args.port is not None and not 0 <= args.port <= 65535:
        raise UsageError(f"--port {args.port}: en port er et tal fra 1 til 65535")
    root = api.workspace_root() or _path(os.getcwd())  # the workspace (drafter.yaml), or this folder
    return serve(root, host=args.host, port=args.port, open_browser=not args.no_browser)


def cmd_init(args: argparse.Namespace) -> int:
    from drafter import api  # lazy

    result = api.init_workspace(args.folder, args.profile, args.name, args.region, args.switch)
    if result.existed:
        print(f"{args.folder / api.WORKSPACE_FILE}: arbejdsmappen findes allerede; intet er ændret "
              "(--switch giver den en ny profil)")
        return EXIT_OK
    if result.kept is not None:
        _print(f"den hidtidige profil er gemt som {result.kept}")
    for path in result.created:
        _print(f"{'skiftet' if result.kept is not None and path.name == api.WORKSPACE_FILE else 'oprettet'}: {path}")
    for note in result.notes:
        _print(f"bemærk: {note}")
    _print(f"Arbejdsmappen er klar. Ret organisationens profil i {args.folder / api.WORKSPACE_FILE}.")
    return EXIT_OK


def cmd_profiles(args: argparse.Namespace) -> int:
    from drafter import api  # lazy

    profiles = api.profiles()
    width = max(len(profile.name) for profile in profiles)
    for profile in profiles:
        default = " (standard uden arbejdsmappe)" if profile.is_default else ""
        print(f"{profile.name.ljust(width)}  {profile.description}{default}")
    print(f"\nHer gælder: {api.workspace_description()}")
    return EXIT_OK


# -- entry point -----------------------------------------------------------------------

def _print(text: str, stream=None) -> None:
    """Every line drafter prints about files and answers: control characters, ANSI
    sequences and bidi overrides in a value or a file name are shown as escapes."""
    from drafter.problems import printable_lines  # lazy

    print(printable_lines(text), file=stream or sys.stdout)


def _report(exc: DrafterError) -> None:
    for line in exc.lines():
        print(line, file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    escape_what_it_cannot_show()
    # A short-lived command allocates much while importing its libraries, and little of it
    # is ever garbage; collecting less often saves a few per cent of a cold start.
    gc.set_threshold(20_000, 20, 20)
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["check"]:
        from drafter import verdicts  # lazy: only check keeps its verdict

        if verdicts.plain_check(argv):
            # What it printed is kept with what it read (the `drafter` command, drafter.__main__,
            # prints it again while nothing has changed).
            return verdicts.record(argv, lambda: _run(plain_check_arguments(argv)))
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra:
        # argparse cannot take a command's files after its options ("replace A B --dry-run answers");
        # a command that names trailing_paths takes them, anything else is an error as before.
        trailing = getattr(args, "trailing_paths", None)
        if trailing is None or any(item.startswith("-") for item in extra):
            parser.error(f"ukendte argumenter: {' '.join(extra)}")
        getattr(args, trailing).extend(_path(item) for item in extra)
    if not getattr(args, "handler", None):
        parser.print_help()
        return EXIT_USAGE
    return _run(args)


def plain_check_arguments(argv: list[str]) -> argparse.Namespace:
    """What argparse makes of a plain `check FILE... [--strict] [--draft-ok]` (drafter.verdicts),
    without importing argparse, building the parser of every command and parsing (3.4 ms of a
    fresh check, measured); tests/test_kept_verdicts.py compares the two."""
    from types import SimpleNamespace  # loaded with re already

    return SimpleNamespace(
        command="check", answers=[_path(arg) for arg in argv[1:] if not arg.startswith("-")],
        strict="--strict" in argv, draft_ok="--draft-ok" in argv, list_rules=False, fix=False, handler=cmd_check,
    )


def _run(args: argparse.Namespace) -> int:
    """The command *args* names, run: its failures said in Danish, with their exit codes."""
    # Not before: --help and --version exit above, and need neither (~1 ms and ~9 ms).
    from drafter.errors import DrafterError  # lazy
    from drafter.interrupts import install  # lazy

    install()
    try:
        if getattr(args, "workspace", None) is not None:
            from drafter import api  # lazy

            api.use_workspace(args.workspace)
        return args.handler(args)
    except DrafterError as exc:
        _report(exc)
        return exc.exit_code
    except KeyboardInterrupt as exc:
        from drafter.interrupts import exit_code  # lazy

        print("\nAfbrudt.", file=sys.stderr)
        return exit_code(exc)
    except BrokenPipeError:
        return EXIT_FAILED
    except Exception as exc:  # the last line of defence: a user never sees a traceback
        if os.environ.get("DRAFTER_DEBUG"):
            raise
        _print(
            f"drafter: intern fejl ({type(exc).__name__}: {exc}). "
            "Kør igen med DRAFTER_DEBUG=1 for detaljer, og meld fejlen til udviklerne.",
            sys.stderr,
        )
        return EXIT_INTERNAL
