# Registers flow column-name completion for PowerShell's own cmdlets after a pipe (see
# NFStream.Completion.PipelineColumnCompleter). A nested module of NFStream: it loads with it. Where the pipeline
# input is not flows the completer offers nothing, and PowerShell's own completion applies unchanged.
$completer = {
    param($commandName, $parameterName, $wordToComplete, $commandAst, $fakeBoundParameters)
    [NFStream.Completion.PipelineColumnCompleter]::Complete($commandAst, $wordToComplete, [Func[string, object]] {
            param($name)
            Get-Variable -Name $name -Scope Global -ValueOnly -ErrorAction Ignore
        })
}
foreach ($entry in [NFStream.Completion.PipelineColumnCompleter]::PropertyParameters.GetEnumerator()) {
    foreach ($parameter in $entry.Value) {
        Register-ArgumentCompleter -CommandName $entry.Key -ParameterName $parameter -ScriptBlock $completer
    }
}
