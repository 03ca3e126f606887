package dev.sluice.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class CidrTest {

  @Test
  void blocksContainTheirAddressesOnly() throws Exception {
    Cidr ten = Cidr.parse("10.1.2.3/8");
    assertThat(ten.toString()).isEqualTo("10.0.0.0/8");
    assertThat(ten.contains(InetAddress.getByName("10.255.0.1"))).isTrue();
    assertThat(ten.contains(InetAddress.getByName("11.0.0.1"))).isFalse();
    assertThat(ten.contains(InetAddress.getByName("::ffff:10.9.9.9").getAddress())).isTrue();
    assertThat(Cidr.parse("192.168.1.0/23").contains(InetAddress.getByName("192.168.0.7")))
        .isTrue();
    assertThat(Cidr.parse("192.168.1.0/24").contains(InetAddress.getByName("192.168.0.7")))
        .isFalse();
    assertThat(Cidr.parse("fd00::/8").contains(InetAddress.getByName("fd12::1"))).isTrue();
    assertThat(Cidr.parse("fd00::/8").contains(InetAddress.getByName("10.0.0.1"))).isFalse();
    assertThat(Cidr.parse("127.0.0.1").contains(InetAddress.getByName("127.0.0.1"))).isTrue();
    assertThat(Cidr.parse("0.0.0.0/0").contains(InetAddress.getByName("8.8.8.8"))).isTrue();
  }

  @Test
  void badTextIsRefusedWithTheValueInTheMessage() {
    assertThatThrownBy(() -> Cidr.parse("example.com/8"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'example.com/8'");
    assertThatThrownBy(() -> Cidr.parse("10.0.0.0/33"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("0..32");
    assertThatThrownBy(() -> Cidr.parse("10.0.0.0/x")).hasMessageContaining("prefix length");
  }
}
