import ArgumentParser
import KomplyCore

extension Komply {
    /// The error for a mistyped subcommand (`komply genrate`), naming the nearest one, or nil when
    /// `arguments` (without the program name) choose existing subcommands or leave the choice to options.
    static func unknownSubcommand(in arguments: [String]) -> String? {
        var command: ParsableCommand.Type = Komply.self
        var path = ["komply"]
        for argument in arguments {
            let configuration = command.configuration
            // Options, and commands that take positional arguments, are ArgumentParser's to judge.
            guard !argument.hasPrefix("-"), argument != "help", !configuration.subcommands.isEmpty,
                configuration.defaultSubcommand == nil
            else { return nil }
            let names = configuration.subcommands.flatMap { [$0._commandName] + $0.configuration.aliases }
            guard
                let next = configuration.subcommands.first(where: {
                    $0._commandName == argument || $0.configuration.aliases.contains(argument)
                })
            else {
                let command = path.joined(separator: " ")
                let hint = Suggestion.closest(to: argument, among: names).map { "; did you mean '\($0)'?" } ?? ""
                return "'\(argument)' is not a \(command) command\(hint) (`\(command) --help` lists them)"
            }
            command = next
            path.append(argument)
        }
        return nil
    }
}
