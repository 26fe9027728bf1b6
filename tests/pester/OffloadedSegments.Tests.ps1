BeforeAll {
    Import-Module "$PSScriptRoot/TestHelpers.psm1" -Force

    function New-TcpFrame {
        <# An Ethernet/IPv4/TCP frame; -TotalLength overrides the IPv4 total length (0: a TSO segment, "bad-len 0"). #>
        param([byte[]] $Source, [byte[]] $Destination, [int] $SourcePort, [int] $DestinationPort, [byte] $Flags,
              [int] $Payload = 0, [int] $TotalLength = -1)
        $frame = [byte[]]::new(14 + 20 + 20 + $Payload)
        $frame[12] = 0x08                                    # ethertype IPv4
        $frame[14] = 0x45                                    # version 4, 20-byte header
        $length = if ($TotalLength -ge 0) { $TotalLength } else { 40 + $Payload }
        $frame[16] = [byte]($length -shr 8); $frame[17] = [byte]($length -band 0xff)
        $frame[22] = 64; $frame[23] = 6                      # TTL, TCP
        [Array]::Copy($Source, 0, $frame, 26, 4); [Array]::Copy($Destination, 0, $frame, 30, 4)
        $frame[34] = [byte]($SourcePort -shr 8); $frame[35] = [byte]($SourcePort -band 0xff)
        $frame[36] = [byte]($DestinationPort -shr 8); $frame[37] = [byte]($DestinationPort -band 0xff)
        $frame[46] = 0x50; $frame[47] = $Flags               # 20-byte TCP header, flags
        $frame
    }

    function Write-Pcap {
        <# A classic little-endian pcap (Ethernet), one record per frame, 1 ms apart. #>
        param([string] $Path, [object[]] $Frames)
        $out = [IO.MemoryStream]::new()
        $w = [IO.BinaryWriter]::new($out)
        $w.Write([byte[]](0xd4, 0xc3, 0xb2, 0xa1))  # magic, little-endian
        $w.Write([uint16]2); $w.Write([uint16]4)
        $w.Write([int32]0); $w.Write([uint32]0); $w.Write([uint32]262144); $w.Write([uint32]1)
        $t = 0
        foreach ($f in $Frames) {
            $w.Write([uint32]1700000000); $w.Write([uint32]($t * 1000)); $w.Write([uint32]$f.Length); $w.Write([uint32]$f.Length)
            $w.Write([byte[]]$f)
            $t++
        }
        $w.Flush()
        [IO.File]::WriteAllBytes($Path, $out.ToArray())
    }
}

Describe 'Get-NFFlow on captures taken with segmentation offload' {
    It 'ignores IPv4 frames whose total length is 0, as NFStream does, and counts them as ignored' {
        $client = [byte[]](10, 0, 0, 1); $server = [byte[]](10, 0, 0, 2)
        $frames = [Collections.Generic.List[object]]::new()
        $frames.Add((New-TcpFrame $client $server 40000 443 0x02))
        $frames.Add((New-TcpFrame $server $client 443 40000 0x12))
        $frames.Add((New-TcpFrame $client $server 40000 443 0x10))
        foreach ($i in 1..3) {
            $frames.Add((New-TcpFrame $server $client 443 40000 0x10 -Payload 4344 -TotalLength 0))
            $frames.Add((New-TcpFrame $client $server 40000 443 0x10))
        }
        $normalBytes = ($frames | Where-Object Length -lt 100 | Measure-Object -Property Length -Sum).Sum
        $path = Join-Path $TestDrive 'tso.pcap'
        Write-Pcap -Path $path -Frames $frames

        $flow = Get-NFFlow -Path $path -NDissections 0 -StatisticsVariable stats

        $flow | Should -HaveCount 1
        $flow.bidirectional_packets | Should -Be 6
        $flow.bidirectional_bytes | Should -Be $normalBytes
        $flow.dst2src_packets | Should -Be 1
        $stats.PacketsIgnored | Should -Be 3
        $stats.IgnoredByReason['MalformedIpv4'] | Should -Be 3
    }
}
